import type { EventRecord } from "../api-schemas.js";
import type { Colors } from "../output/colors.js";
import { escapeControlChars } from "../output/control-chars.js";

/** Which rollout a command is watching: its events are the ones it prints. */
export interface RolloutTarget {
  service: string;
  environment: string;
  deploymentId: string;
  /** The release being rolled out; replica events name it, not the deployment. */
  release: number | null;
}

const goodKinds = new Set(["deployment.succeeded", "replica.ready"]);
const badKinds = new Set([
  "deployment.failed",
  "replica.exited",
  "replica.oom_killed",
  "replica.crash_loop",
  "replica.start_failed",
  "replica.liveness_failed",
]);
const warningKinds = new Set([
  "replica.unready",
  "replica.restarted",
  "replica.limits_unenforced",
  "deployment.secrets_missing",
]);

/**
 * Whether an event of the live feed belongs to this rollout: deployment events carrying its id,
 * replica events of its release in its environment (or carrying its id).
 */
export function belongsToRollout(event: EventRecord, target: RolloutTarget): boolean {
  const data = dataOf(event);
  if (data.deploymentId === target.deploymentId) {
    return event.kind.startsWith("deployment.") || event.kind.startsWith("replica.");
  }
  if (!event.kind.startsWith("replica.") || event.environment !== target.environment) {
    return false;
  }
  const release = data.release ?? data.releaseVersion;
  return target.release !== null && (release === target.release || release === `v${target.release}`);
}

/** Whether this event says the watched deployment has finished (so the feed can stop). */
export function endsRollout(event: EventRecord, target: RolloutTarget): boolean {
  const data = dataOf(event);
  return (
    data.deploymentId === target.deploymentId &&
    ["deployment.succeeded", "deployment.failed", "deployment.rolled_back"].includes(event.kind)
  );
}

/**
 * One event as a progress line: a mark (✓ good, ✗ bad, ! warning, · step) and the server's message.
 *
 * @example formatProgressLine({ kind: "replica.ready", message: "web/staging replica r1 (v3) is ready", ... }, colors)
 * // "  ✓ web/staging replica r1 (v3) is ready"
 */
export function formatProgressLine(event: EventRecord, colors: Colors): string {
  const text = escapeControlChars(event.message ?? event.kind);
  if (goodKinds.has(event.kind)) {
    return `  ${colors.green("✓")} ${text}`;
  }
  if (badKinds.has(event.kind)) {
    return `  ${colors.red("✗")} ${text}`;
  }
  if (warningKinds.has(event.kind)) {
    return `  ${colors.yellow("!")} ${text}`;
  }
  return `  ${colors.dim("·")} ${text}`;
}

/** One line of a build log: `  build | text`, stderr in yellow, control characters shown. */
export function formatBuildLogLine(line: { stream: string; line: string }, colors: Colors): string {
  const shown = escapeControlChars(line.line);
  const text = line.stream === "stderr" ? colors.yellow(shown) : shown;
  return `  ${colors.dim("build |")} ${text}`;
}

function dataOf(event: EventRecord): Record<string, unknown> {
  return typeof event.data === "object" && event.data !== null ? (event.data as Record<string, unknown>) : {};
}
