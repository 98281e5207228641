import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import type { ActionFactory } from "../command-action.js";
import { deploymentResponse } from "../run-api-schemas.js";
import { DEFAULT_WAIT_TIMEOUT, Deadline } from "../rollout/deadline.js";
import { releaseLabel } from "../rollout/rollout-outcome.js";
import { runServerRollout } from "../rollout/server-rollout.js";

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
    .argument("<deployment>", "the deployment's id, as `slipway deploy` or `slipway events` shows it")
    .option("--no-wait", "return once the rollout has started")
    .option("--timeout <duration>", "how long to wait for the rollout", DEFAULT_WAIT_TIMEOUT)
    .action(
      action(async (ctx, command) => {
        const [id] = command.processedArgs as [string];
        const options = command.opts<ApproveOptions>();
        const deadline = await Deadline.parse(options.timeout);
        const client = await ctx.client();
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
