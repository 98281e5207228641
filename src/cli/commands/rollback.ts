import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import type { ActionFactory } from "../command-action.js";
import { parseReleaseVersion } from "../release-version.js";
import { DEFAULT_WAIT_TIMEOUT, Deadline } from "../rollout/deadline.js";
import { runServerRollout } from "../rollout/server-rollout.js";
import { environmentOrFirst, serviceFromArgumentOrSpec } from "../service-environment.js";

interface RollbackOptions {
  env?: string;
  to?: string;
  wait: boolean;
  timeout: string;
}

/** `slipway rollback [service]`: back to an earlier, already built release (no rebuild), then waits for it. */
export function registerRollbackCommand(program: Command, action: ActionFactory): void {
  program
    .command("rollback")
    .description("switch an environment back to an earlier release, without rebuilding")
    .argument("[service]", "the service (default: the one in ./slipway.yaml)")
    .option("--env <environment>", "the environment (default: the service's first)")
    .option(
      "--to <release>",
      "the release to go back to, e.g. 3 or v3 (default: the one live before the current)",
    )
    .option("--no-wait", "return once the rollback has started")
    .option("--timeout <duration>", "how long to wait for the rollback", DEFAULT_WAIT_TIMEOUT)
    .action(
      action(async (ctx, command) => {
        const [named] = command.processedArgs as [string | undefined];
        const options = command.opts<RollbackOptions>();
        const deadline = await Deadline.parse(options.timeout);
        const to = options.to === undefined ? undefined : parseReleaseVersion(options.to, "--to");
        const target = await serviceFromArgumentOrSpec(ctx, named, options.env, "rollback");
        if (!target) {
          return;
        }
        const client = await ctx.client();
        const environment = await environmentOrFirst(client, target.service, target.environment);
        await runServerRollout(ctx, client, {
          service: target.service,
          path: apiPath("services", target.service, "rollback"),
          body: { environment, ...(to === undefined ? {} : { to }) },
          doing: "rolling back",
          wait: options.wait,
          deadline,
        });
      }),
    );
}
