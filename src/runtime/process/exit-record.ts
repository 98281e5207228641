import { constants } from "node:os";
import type { ReplicaExit } from "../runtime.js";

/** What the shim saw when a replica's main process ended. */
export interface ObservedExit {
  code: number | null;
  signal: string | null;
  at: string;
  /** Set when the replica went over its memory limit. */
  oom?: NonNullable<ReplicaExit["oom"]>;
  message?: string;
}

/**
 * Turns what was observed into the recorded exit. An over-limit kill reads the same whichever
 * mechanism caught it: OOMKilled, code 137, SIGKILL, with the limit and the peak. A signal
 * death gets the shell's code, 128 + the signal number (143 for SIGTERM).
 *
 * @example
 * describeExit({ code: null, signal: "SIGTERM", at }) // { code: 143, signal: "SIGTERM", reason: "Error", at }
 */
export function describeExit(observed: ObservedExit): ReplicaExit {
  const extra = observed.message === undefined ? {} : { message: observed.message };
  if (observed.oom !== undefined) {
    return {
      code: 137,
      signal: "SIGKILL",
      reason: "OOMKilled",
      oom: observed.oom,
      at: observed.at,
      ...extra,
    };
  }
  const code = observed.code ?? signalExitCode(observed.signal);
  return {
    code,
    signal: observed.signal,
    reason: code === 0 ? "Completed" : "Error",
    at: observed.at,
    ...extra,
  };
}

function signalExitCode(signal: string | null): number | null {
  if (signal === null) {
    return null;
  }
  const number = (constants.signals as Record<string, number | undefined>)[signal];
  return number === undefined ? null : 128 + number;
}
