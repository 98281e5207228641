import { CliError, usageError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";

/** How long `deploy`, `rollback` and `restart` wait by default. */
export const DEFAULT_WAIT_TIMEOUT = "10m";

/**
 * When a command stops waiting. Work on the server goes on after it: only the CLI gives up.
 *
 * @example const deadline = await Deadline.parse("10m"); deadline.remainingMs()
 */
export class Deadline {
  /** The duration as the user wrote it, for messages (`10m`). */
  readonly text: string;
  #endsAt: number;
  readonly #now: () => number;

  constructor(text: string, ms: number, now: () => number = Date.now) {
    this.text = text;
    this.#now = now;
    this.#endsAt = now() + ms;
  }

  /** Parses `--timeout` (`30s`, `10m`, `1h`); a bad value is a usage error (exit 2). */
  static async parse(text: string, now: () => number = Date.now): Promise<Deadline> {
    // The spec module is loaded only by the commands that need it, to keep `slipway` quick to start.
    const { parseDuration } = await import("../../spec/index.js");
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      throw usageError(`--timeout ${JSON.stringify(text)} is not a duration`, "write it like 30s, 10m or 1h");
    }
    return new Deadline(text, ms, now);
  }

  remainingMs(): number {
    return Math.max(0, this.#endsAt - this.#now());
  }

  /** Moves the end later: time the rollout spends on purpose (a canary's pause) is not waiting. */
  extendBy(ms: number): void {
    this.#endsAt += Math.max(0, ms);
  }

  expired(): boolean {
    return this.remainingMs() === 0;
  }

  /** The error for giving up: exit 1, naming what was awaited and how to keep watching. */
  timeoutError(waitingFor: string, service: string): CliError {
    return new CliError(`timed out after ${this.text} waiting for ${waitingFor}`, {
      hint: `it goes on on the server: \`slipway events -f --service ${service}\` follows it; --timeout waits longer`,
      exitCode: ExitCode.failure,
    });
  }
}
