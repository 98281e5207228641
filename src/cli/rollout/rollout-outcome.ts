import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import { escapeControlChars } from "../output/control-chars.js";
import type { Deployment } from "../run-api-schemas.js";

/** How many of the failing replica's last log lines are shown. */
export const LAST_LOG_LINES = 15;

/** What a finished rollout prints: `--json`'s one object. */
export interface RolloutResult {
  release: unknown;
  deployment: Deployment | null;
  status: string;
  url: string | null;
}

/** `v3`, or `?` when the server did not say. */
export function releaseLabel(version: number | null | undefined): string {
  return version === null || version === undefined ? "?" : `v${version}`;
}

/** The last line of a successful rollout, e.g. `hello-api v3 is live in staging: http://…`. */
export function successLine(deployment: Deployment, service: string, url: string | null): string {
  const what = `${service} ${releaseLabel(deployment.release)}`;
  const verb = deployment.kind === "restart" ? "restarted" : "is live";
  return `${what} ${verb} in ${deployment.environment}${url ? `: ${url}` : ""}`;
}

/**
 * The error for a failed rollout (exit 1): what failed and why, the failing replica with its exit
 * code, its last log lines, and whether the previous release kept serving. The reason and the
 * log lines may quote the app: their control characters are shown, not obeyed.
 */
export function rolloutFailure(
  deployment: Deployment,
  service: string,
  lastLog: readonly string[],
): CliError {
  const failure = deployment.failure ?? undefined;
  const what = `${deploymentNoun(deployment)} of ${service} ${releaseLabel(deployment.release)} to ${deployment.environment}`;
  const status =
    deployment.status === "rolled_back"
      ? "failed and was rolled back"
      : deployment.status === "rejected"
        ? "was not approved"
        : "failed";
  const reason = escapeControlChars(deployment.reason ?? failure?.reason ?? "no reason given");
  const details: string[] = [];
  if (failure?.replica) {
    const exit =
      failure.exitCode === null || failure.exitCode === undefined
        ? ""
        : ` exited with code ${failure.exitCode}`;
    details.push(`replica ${failure.replica}${exit}${failure.exitReason ? ` (${failure.exitReason})` : ""}`);
  }
  const lines = lastLog.slice(-LAST_LOG_LINES);
  if (lines.length > 0) {
    details.push(`last log lines${failure?.replica ? ` of ${failure.replica}` : ""}:`);
    details.push(...lines.map((line) => `  | ${escapeControlChars(line)}`));
  }
  if (deployment.status === "rolled_back") {
    details.push("the replicas of the previous release were left serving");
  }
  if (failure?.keptReplicas) {
    // Kubernetes keeps a failed Deployment's pods too; said here, so traffic reaching them later is no surprise.
    details.push(
      `nothing to roll back to (the first release here): its replicas stay and keep restarting, and get traffic if they become ready; deploy a fix, or \`slipway scale ${service} 0 --env ${deployment.environment}\` to stop them`,
    );
  }
  return new CliError(`${what} ${status}: ${reason}`, {
    details,
    hint: `\`slipway logs ${service} --env ${deployment.environment}\` shows more; \`slipway status ${service}\` shows the replicas`,
    exitCode: ExitCode.failure,
  });
}

/** The error for a failed build (exit 1), with its reason. */
export function buildFailure(service: string, version: number, reason: string | null): CliError {
  return new CliError(
    `the build of ${service} ${releaseLabel(version)} failed${reason ? `: ${escapeControlChars(reason)}` : ""}`,
    {
      hint: `the build log says why (\`slipway logs ${service} --build ${version}\` shows it again); fix it and run \`slipway deploy\` again (nothing was deployed)`,
      exitCode: ExitCode.failure,
    },
  );
}

function deploymentNoun(deployment: Deployment): string {
  switch (deployment.kind) {
    case "rollback":
      return "the rollback";
    case "restart":
      return "the restart";
    default:
      return "the deployment";
  }
}
