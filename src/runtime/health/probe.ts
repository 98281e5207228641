/**
 * Health probes, shaped like the normalised probes of slipway.yaml (src/spec: `check` plus
 * Kubernetes' timing fields, durations in milliseconds), so a spec's probe can be passed as is.
 */

/** What a probe checks. `port` defaults to the replica's port. */
export type ProbeCheck =
  | { type: "http"; path: string; port?: number }
  | { type: "tcp"; port?: number }
  | { type: "command"; command: string }
  /** Passes while the replica runs: with an initialDelay, a startup gate of time alone. */
  | { type: "running" };

/** A probe with Kubernetes' timing fields; durations in milliseconds. */
export interface HealthProbe {
  check: ProbeCheck;
  initialDelay: number;
  period: number;
  timeout: number;
  failureThreshold: number;
  successThreshold: number;
  /**
   * For a probe the platform added rather than the user: what its failure means, in place of
   * "startup probe failed" in events and status.
   */
  failureSummary?: string;
  /** Likewise, what its passing means, in place of "startup probe passed". */
  passedSummary?: string;
}

/** Kubernetes' defaults: initialDelay 0, period 10 s, timeout 1 s, failureThreshold 3, successThreshold 1. */
export const PROBE_DEFAULTS: Omit<HealthProbe, "check"> = {
  initialDelay: 0,
  period: 10_000,
  timeout: 1000,
  failureThreshold: 3,
  successThreshold: 1,
};

/** A probe with defaults filled in. */
export function probeWithDefaults(
  check: ProbeCheck,
  timings: Partial<Omit<HealthProbe, "check">> = {},
): HealthProbe {
  return { check, ...PROBE_DEFAULTS, ...timings };
}

/** What a probe runs against: the replica's port on 127.0.0.1, and for commands its cwd and env. */
export interface ProbeTarget {
  port: number;
  /** Default 127.0.0.1: replicas listen on loopback. */
  host?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** A command probe runs as the replica's own user, never as the platform's root, with its HOME. */
  runAs?: { uid: number; gid: number; home?: string };
  /** A command probe joins these cgroups (the replica's) before it runs. */
  cgroupProcs?: string[];
}

/** The outcome of one check. */
export interface ProbeResult {
  ok: boolean;
  /** What happened, e.g. "HTTP 503" or "timed out after 1000 ms": shown in events and status. */
  message: string;
}
