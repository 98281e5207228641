import type { CommandContext } from "../command-context.js";
import type { ApiClient } from "../http-client.js";
import { deploymentResponse } from "../run-api-schemas.js";
import type { Deadline } from "./deadline.js";
import { createLiveProgress, reportRollout } from "./report-rollout.js";
import { releaseLabel } from "./rollout-outcome.js";
import { latestEventSeq } from "./watch-deployment.js";

/** A rollout the server starts from an API call (rollback, restart). */
export interface ServerRolloutRequest {
  service: string;
  /** The API path to POST, e.g. /api/v1/services/web/rollback. */
  path: string;
  body: Record<string, unknown>;
  /** What it is, for the first line: `rolling back`, `restarting`. */
  doing: string;
  wait: boolean;
  deadline: Deadline;
}

/**
 * Starts a rollout with one POST and, unless told not to wait, follows it like `slipway deploy`
 * does: steps live, then the URL (exit 0) or the failure with the last log lines (exit 1).
 */
export async function runServerRollout(
  ctx: CommandContext,
  client: ApiClient,
  request: ServerRolloutRequest,
): Promise<void> {
  // Taken before the POST: following the feed from here misses none of the rollout's steps.
  const afterEventSeq = request.wait ? await latestEventSeq(client) : undefined;
  const { deployment } = await client.send("POST", request.path, deploymentResponse, { body: request.body });
  const started = `${request.doing} ${request.service} in ${deployment.environment} (${releaseLabel(deployment.release)}, deployment ${deployment.id})`;
  if (!request.wait) {
    if (ctx.output.json) {
      ctx.output.data({
        release: deployment.release ?? null,
        deployment,
        status: deployment.status,
        url: null,
      });
    } else {
      ctx.output.line(started);
      ctx.output.note(`follow it with \`slipway events -f --service ${request.service}\``);
    }
    return;
  }
  const progress = createLiveProgress(ctx);
  try {
    progress.line(started);
    await reportRollout(ctx, client, {
      service: request.service,
      deployment,
      afterEventSeq,
      deadline: request.deadline,
      progress,
    });
  } finally {
    progress.stop();
  }
}
