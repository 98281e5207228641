import type { HealthProbe, ProbeResult, ProbeTarget } from "./probe.js";
import { runCheck } from "./probe-checks.js";

/** What a probe decides, in Kubernetes' terms. */
export type ProbePurpose = "readiness" | "liveness" | "startup";

/** A change a prober reports; checks that change nothing report nothing. */
export type ProbeTransition =
  /** Readiness passed successThreshold times in a row: the replica may get traffic. */
  | { type: "ready"; result: ProbeResult }
  /** Readiness failed failureThreshold times in a row: take the replica out of rotation. */
  | { type: "unready"; result: ProbeResult }
  /** Liveness failed failureThreshold times in a row: the replica must be restarted. */
  | { type: "liveness-failed"; result: ProbeResult }
  /** The startup probe passed once: liveness and readiness may begin. */
  | { type: "started"; result: ProbeResult }
  /** The startup probe failed failureThreshold times in a row: restart the replica. */
  | { type: "startup-failed"; result: ProbeResult };

/** A running probe loop. */
export interface Prober {
  readonly purpose: ProbePurpose;
  /** Begins checking after the probe's initialDelay. */
  start(): void;
  /** Stops checking; a check in flight finishes but reports nothing. */
  stop(): void;
  /** Subscribes to transitions; returns the unsubscribe. */
  onTransition(listener: (transition: ProbeTransition) => void): () => void;
  /** The last check's result, if any. */
  readonly lastResult: ProbeResult | undefined;
}

/**
 * Creates a probe loop: the first check after `initialDelay`, then one every `period` (from
 * the start of the previous check, as Kubernetes does), each failing after `timeout`.
 * Consecutive results are counted against the thresholds and only changes are reported.
 *
 * @example
 * const readiness = createProber(probeWithDefaults({ type: "http", path: "/healthz" }), { port }, "readiness");
 * readiness.onTransition((change) => change.type === "ready" && router.add(replica));
 * readiness.start();
 */
export function createProber(
  probe: HealthProbe,
  target: ProbeTarget,
  purpose: ProbePurpose = "readiness",
  options: { initiallyReady?: boolean } = {},
): Prober {
  const listeners = new Set<(transition: ProbeTransition) => void>();
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let successes = 0;
  let failures = 0;
  // A replica adopted after a platform restart was ready before it: it stays so until the probe
  // fails failureThreshold times, as a kubelet restart leaves a pod's readiness alone.
  let ready = purpose === "readiness" && options.initiallyReady === true;
  let reportedFailure = false;
  let lastResult: ProbeResult | undefined;

  const emit = (transition: ProbeTransition): void => {
    for (const listener of listeners) {
      listener(transition);
    }
  };

  const record = (result: ProbeResult): void => {
    lastResult = result;
    successes = result.ok ? successes + 1 : 0;
    failures = result.ok ? 0 : failures + 1;
    if (result.ok) {
      reportedFailure = false;
    }
    switch (purpose) {
      case "readiness":
        if (!ready && successes >= probe.successThreshold) {
          ready = true;
          emit({ type: "ready", result });
        } else if (ready && failures >= probe.failureThreshold) {
          ready = false;
          emit({ type: "unready", result });
        }
        return;
      case "liveness":
        if (!reportedFailure && failures >= probe.failureThreshold) {
          reportedFailure = true;
          emit({ type: "liveness-failed", result });
        }
        return;
      case "startup":
        if (result.ok) {
          running = false;
          emit({ type: "started", result });
        } else if (failures >= probe.failureThreshold) {
          running = false;
          emit({ type: "startup-failed", result });
        }
        return;
    }
  };

  const tick = async (): Promise<void> => {
    const began = Date.now();
    const result = await runCheck(probe.check, target, probe.timeout);
    if (!running) {
      return;
    }
    record(result);
    if (running) {
      timer = setTimeout(tick, Math.max(0, probe.period - (Date.now() - began)));
    }
  };

  return {
    purpose,
    start() {
      if (running) {
        return;
      }
      running = true;
      timer = setTimeout(tick, probe.initialDelay);
    },
    stop() {
      running = false;
      clearTimeout(timer);
    },
    onTransition(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get lastResult() {
      return lastResult;
    },
  };
}
