import { escapeControlChars } from "../output/control-chars.js";
import { formatBytes } from "../output/human-size.js";
import type { ReplicaStatus } from "../run-api-schemas.js";

/** States of a replica that is up and doing its job (or about to). */
const healthyStates = new Set(["ready", "running", "starting"]);

/** The LAST EXIT cell: `137 (OOMKilled)`, `1 (Error)`, or `-` when it never exited. */
export function lastExitLabel(replica: ReplicaStatus): string {
  if (replica.exitCode === null || replica.exitCode === undefined) {
    return replica.reason ? `- (${replica.reason})` : "-";
  }
  return replica.reason ? `${replica.exitCode} (${replica.reason})` : String(replica.exitCode);
}

/** Whether a replica is failing: crash-looping, stopped by an error, or not up at all. */
export function isFailing(replica: ReplicaStatus): boolean {
  return !healthyStates.has(replica.state.toLowerCase());
}

/**
 * What is wrong with a replica, in words, or "" when nothing is: the OOM kill with its limit and
 * peak, the liveness failure, the backoff before its next restart, a readiness probe failing.
 *
 * @example describeReplicaProblem({ state: "CrashLoopBackOff", reason: "Error", exitCode: 1, nextRestartAt, backoffSeconds: 40, … }, now)
 * // "exited with code 1; next restart in 37s (backoff 40s)"
 */
export function describeReplicaProblem(replica: ReplicaStatus, now: Date): string {
  const parts: string[] = [];
  if (replica.reason === "OOMKilled") {
    parts.push(oomText(replica));
  } else if (replica.reason === "LivenessFailed") {
    // The platform's own words for why it killed it: a liveness or startup probe, or $PORT.
    parts.push(
      replica.exitMessage
        ? `killed: ${escapeControlChars(replica.exitMessage)}`
        : "killed after failing its liveness probe",
    );
  } else if (replica.reason === "Error" && replica.exitCode !== null && replica.exitCode !== undefined) {
    parts.push(`exited with code ${replica.exitCode}`);
  } else if (replica.reason === "Error" && replica.exitMessage) {
    // No exit code: it never ran (its directory is gone) or its supervisor was killed.
    parts.push(escapeControlChars(replica.exitMessage));
  }
  if (replica.state === "CrashLoopBackOff") {
    parts.push(backoffText(replica, now));
  }
  if (replica.readinessFailure) {
    // A command probe's message quotes the app's output: shown, not obeyed.
    parts.push(`not ready: ${escapeControlChars(replica.readinessFailure)}`);
  }
  return parts.join("; ");
}

function oomText(replica: ReplicaStatus): string {
  if (!replica.oom) {
    return "OOMKilled: over its memory limit";
  }
  const { peakBytes, limitBytes } = replica.oom;
  return `OOMKilled: memory limit ${formatBytes(limitBytes)}, peak ${formatBytes(peakBytes)} (raise resources.memory)`;
}

function backoffText(replica: ReplicaStatus, now: Date): string {
  const backoff =
    replica.backoffSeconds === null || replica.backoffSeconds === undefined
      ? ""
      : ` (backoff ${formatSeconds(replica.backoffSeconds)})`;
  const at = replica.nextRestartAt ? Date.parse(replica.nextRestartAt) : Number.NaN;
  if (Number.isNaN(at)) {
    return `CrashLoopBackOff${backoff}`;
  }
  const seconds = Math.ceil((at - now.getTime()) / 1000);
  return seconds > 0 ? `next restart in ${formatSeconds(seconds)}${backoff}` : `restarting now${backoff}`;
}

/** Whole seconds, as the backoff schedule counts them (10s, 20s, 40s ... 300s). */
function formatSeconds(seconds: number): string {
  return `${Math.round(seconds)}s`;
}
