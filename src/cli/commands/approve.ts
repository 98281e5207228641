import type { Command } from "commander";
import { z } from "zod";
import { apiPath } from "../api-path.js";
import type { ActionFactory } from "../command-action.js";
import type { CommandContext } from "../command-context.js";
import type { ApiClient } from "../http-client.js";
import { formatRelativeTime } from "../output/format-time.js";
import { DEFAULT_WAIT_TIMEOUT, Deadline } from "../rollout/deadline.js";
import { releaseLabel } from "../rollout/rollout-outcome.js";
import { runServerRollout } from "../rollout/server-rollout.js";
import { deploymentResponse, deployment as deploymentSchema } from "../run-api-schemas.js";

interface ApproveOptions {
  wait: boolean;
  timeout: string;
}

/**
 * `slipway approve DEPLOYMENT` and `slipway reject DEPLOYMENT`: decide on a deploy that waits for
 * approval (a developer's deploy into an environment with `approval: required`). Approving starts
 * its rollout, followed like `slipway deploy` shows one.
 */
export function registerApproveCommands(program: Command, action: ActionFactory): void {
  program
    .command("approve")
    .description("approve a deployment that waits for approval (deployer), then follow its rollout")
    .argument(
      "[deployment]",
      "the deployment's id, as `slipway deploy` shows it; without it, lists what waits",
    )
    .option("--no-wait", "return once the rollout has started")
    .option("--timeout <duration>", "how long to wait for the rollout", DEFAULT_WAIT_TIMEOUT)
    .action(
      action(async (ctx, command) => {
        const [id] = command.processedArgs as [string | undefined];
        const options = command.opts<ApproveOptions>();
        const deadline = await Deadline.parse(options.timeout);
        const client = await ctx.client();
        if (id === undefined) {
          await listAwaiting(ctx, client);
          return;
        }
        const { deployment } = await client.get(apiPath("deployments", id), deploymentResponse);
        await runServerRollout(ctx, client, {
          service: deployment.service ?? "?",
          path: apiPath("deployments", id, "approve"),
          body: {},
          doing: "approved: deploying",
          wait: options.wait,
          deadline,
        });
      }),
    );

  program
    .command("reject")
    .description("reject a deployment that waits for approval (deployer); it never runs")
    .argument("<deployment>", "the deployment's id")
    .option("--reason <text>", "why, for whoever asked (shown by their `slipway deploy` and in events)")
    .action(
      action(async (ctx, command) => {
        const [id] = command.processedArgs as [string];
        const { reason } = command.opts<{ reason?: string }>();
        const client = await ctx.client();
        const { deployment } = await client.send(
          "POST",
          apiPath("deployments", id, "reject"),
          deploymentResponse,
          {
            body: reason === undefined ? {} : { reason },
          },
        );
        if (ctx.output.json) {
          ctx.output.data({ deployment });
          return;
        }
        ctx.output.line(
          `rejected deployment ${deployment.id} (${deployment.service ?? "?"} ${releaseLabel(deployment.release)} to ${deployment.environment})`,
        );
      }),
    );
}

const deploymentList = z.object({ deployments: z.array(deploymentSchema) });

/** `slipway approve` alone: the deployments that wait for approval, oldest first, to pick from. */
async function listAwaiting(ctx: CommandContext, client: ApiClient): Promise<void> {
  const { deployments } = await client.get("/api/v1/deployments", deploymentList, {
    query: { status: "awaiting_approval", limit: 200 },
  });
  const waiting = [...deployments].reverse();
  if (ctx.output.json) {
    ctx.output.data({ deployments: waiting });
    return;
  }
  const now = new Date();
  ctx.output.table(
    ["DEPLOYMENT", "SERVICE", "ENVIRONMENT", "RELEASE", "ASKED BY", "ASKED"],
    waiting.map((d) => [
      d.id,
      d.service ?? "?",
      d.environment,
      releaseLabel(d.release),
      d.createdBy ?? "-",
      formatRelativeTime(d.createdAt ?? null, now),
    ]),
    "nothing waits for approval",
  );
}
