import { apiPath } from "../api-path.js";
import type { EventRecord } from "../api-schemas.js";
import type { CommandContext } from "../command-context.js";
import type { ApiClient } from "../http-client.js";
import { LiveProgress } from "../output/live-progress.js";
import { type Deployment, serviceRunStatusResponse } from "../run-api-schemas.js";
import type { Deadline } from "./deadline.js";
import { failureLastLog } from "./failure-log.js";
import { formatProgressLine } from "./progress-line.js";
import { type RolloutResult, releaseLabel, rolloutFailure, successLine } from "./rollout-outcome.js";
import { watchDeployment } from "./watch-deployment.js";

/** What {@link reportRollout} watches. */
export interface ReportRolloutOptions {
  service: string;
  deployment: Deployment;
  /** The release, as `--json` shows it (default: the deployment's release number). */
  release?: unknown;
  afterEventSeq: string | undefined;
  deadline: Deadline;
  progress: LiveProgress;
}

/**
 * Progress for people: lines on stdout (stderr under --json, whose stdout is the one result), and
 * a spinner on stderr for quiet waits over a second, on a terminal only.
 */
export function createLiveProgress(ctx: CommandContext): LiveProgress {
  return new LiveProgress({
    write: (line) => (ctx.output.json ? ctx.output.note(line) : ctx.output.line(line)),
    spinnerStream: ctx.io.stderr as NodeJS.WriteStream,
    spinner: ctx.spinnerAllowed(),
  });
}

/**
 * Follows a deployment to its end and reports it: the steps as they happen, then the URL (exit 0),
 * or the reason with the failing replica's last log lines (exit 1); a timeout also exits 1.
 * Under --json, the one result object is printed in every case.
 */
export async function reportRollout(
  ctx: CommandContext,
  client: ApiClient,
  options: ReportRolloutOptions,
): Promise<RolloutResult> {
  const { service, progress, deadline } = options;
  const first = options.deployment;
  const label = `${releaseLabel(first.release)} to ${first.environment}`;
  if (first.status === "awaiting_approval") {
    progress.line(
      `waiting for approval: a deployer in ${first.environment} runs \`slipway approve ${first.id}\` (or \`slipway reject ${first.id}\`)`,
    );
    progress.waitingFor(`waiting for approval of ${label}`);
  } else {
    progress.waitingFor(`rolling out ${label}`);
  }
  let toldUnreachable = false;
  const watched = await watchDeployment(client, {
    target: {
      service,
      environment: first.environment,
      deploymentId: first.id,
      release: first.release ?? null,
    },
    afterEventSeq: options.afterEventSeq,
    deadline,
    onEvent: (event) => {
      progress.line(formatProgressLine(event, ctx.output.colors));
      const pauseMs = canaryPauseMs(event);
      if (pauseMs !== undefined) {
        deadline.extendBy(pauseMs);
      }
    },
    onFeedError: (error) => {
      if (ctx.globals.debug) {
        ctx.output.stderrText(`debug: live progress stopped: ${String(error)}\n`);
      }
    },
    onUnreachable: () => {
      if (!toldUnreachable) {
        toldUnreachable = true;
        progress.waitingFor("Slipway is not answering (restarting?); asking again for up to a minute");
      }
    },
  });
  progress.stop();
  const { deployment } = watched;
  const succeeded = watched.finished && deployment.status === "succeeded";
  const result: RolloutResult = {
    release: options.release ?? deployment.release ?? null,
    deployment,
    status: deployment.status,
    url: succeeded ? await environmentUrl(client, service, deployment.environment) : null,
  };
  if (ctx.output.json) {
    ctx.output.data(result);
  }
  if (!watched.finished) {
    throw deadline.timeoutError(
      `deployment ${deployment.id} (${service} ${label}, still ${deployment.status})`,
      service,
    );
  }
  if (!succeeded) {
    throw rolloutFailure(deployment, service, await failureLastLog(client, service, deployment));
  }
  if (!ctx.output.json) {
    ctx.output.line(ctx.output.colors.green(successLine(deployment, service, result.url)));
  }
  return result;
}

/** The environment's URL through the router, from GET /status; null when the server has none. */
export async function environmentUrl(
  client: ApiClient,
  service: string,
  environment: string,
): Promise<string | null> {
  const status = await client.get(apiPath("services", service, "status"), serviceRunStatusResponse, {
    quiet: true,
  });
  return status.environments.find((candidate) => candidate.name === environment)?.url ?? null;
}

/** A canary pause that begins, and how long it lasts: `--timeout` does not count it. */
function canaryPauseMs(event: EventRecord): number | undefined {
  const data = event.data as { step?: unknown; pauseMs?: unknown } | null | undefined;
  return event.kind === "deployment.step" && data?.step === "pause-begin" && typeof data.pauseMs === "number"
    ? data.pauseMs
    : undefined;
}
