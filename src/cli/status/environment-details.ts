import type { Colors } from "../output/colors.js";
import { escapeControlChars } from "../output/control-chars.js";
import { renderTable } from "../output/table.js";
import type { EnvironmentStatus } from "../run-api-schemas.js";
import { describeReplicaProblem, isFailing, lastExitLabel } from "./replica-problem.js";

/** How many of a failing replica's last log lines `status` shows. */
export const STATUS_LOG_LINES = 10;

/**
 * The block `slipway status` prints under its table for one environment that runs something:
 * a heading (release, ready/desired replicas, URL), a table of replicas (state, restarts, last
 * exit, what is wrong), then the last log lines of each failing replica. Empty when the
 * environment has neither a release nor replicas.
 *
 * @example
 * // leaky/staging  v1  0/1 ready  http://leaky.staging.localhost:7480
 * //   REPLICA  STATE             RESTARTS  LAST EXIT        PROBLEM
 * //   r-1a2b   CrashLoopBackOff  3         137 (OOMKilled)  OOMKilled: memory limit 64 MiB, peak 71.3 MiB (raise resources.memory); next restart in 37s
 */
export function environmentDetails(
  service: string,
  environment: EnvironmentStatus,
  now: Date,
  colors: Colors,
): string[] {
  const replicas = environment.replicas ?? [];
  if (!environment.release && replicas.length === 0) {
    return [];
  }
  const lines = [heading(service, environment, colors)];
  if (replicas.length === 0) {
    lines.push("  no replicas running");
    return lines;
  }
  const table = renderTable(
    ["REPLICA", "STATE", "RESTARTS", "LAST EXIT", "PROBLEM"],
    replicas.map((replica) => [
      replica.id,
      colorState(replica.state, colors),
      String(replica.restarts ?? 0),
      lastExitLabel(replica),
      describeReplicaProblem(replica, now),
    ]),
    colors,
  );
  lines.push(...table.split("\n").map((line) => `  ${line}`));
  for (const replica of replicas.filter(isFailing)) {
    const log = (replica.lastLog ?? []).slice(-STATUS_LOG_LINES);
    if (log.length > 0) {
      lines.push(`  last log lines of ${replica.id}:`);
      lines.push(...log.map((line) => `    ${colors.dim("|")} ${escapeControlChars(line)}`));
    }
  }
  return lines;
}

function heading(service: string, environment: EnvironmentStatus, colors: Colors): string {
  const replicas = environment.replicas ?? [];
  const ready = replicas.filter((replica) => replica.ready ?? replica.state.toLowerCase() === "ready").length;
  const desired = environment.desiredReplicas ?? replicas.length;
  const version = environment.release?.version;
  const parts = [
    colors.bold(`${service}/${environment.name}`),
    version === undefined ? "no release yet" : typeof version === "number" ? `v${version}` : version,
    `${ready}/${desired} ready`,
  ];
  if (environment.canary) {
    parts.push(colors.yellow(`canary v${environment.canary.release} at ${environment.canary.weight}%`));
  }
  if (environment.url) {
    parts.push(environment.url);
  } else if (environment.kind === "worker") {
    parts.push(colors.dim("worker, no URL"));
  }
  return parts.join("  ");
}

function colorState(state: string, colors: Colors): string {
  switch (state.toLowerCase()) {
    case "ready":
      return colors.green(state);
    case "running":
    case "starting":
      return colors.yellow(state);
    default:
      return colors.red(state);
  }
}
