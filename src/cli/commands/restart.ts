import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import type { ActionFactory } from "../command-action.js";
import { DEFAULT_WAIT_TIMEOUT, Deadline } from "../rollout/deadline.js";
import { runServerRollout } from "../rollout/server-rollout.js";
import { environmentOrFirst } from "../service-environment.js";

interface RestartOptions {
  env?: string;
  wait: boolean;
  timeout: string;
}

/** `slipway restart SERVICE`: a rolling restart of the live release, replica by replica, then waits for it. */
export function registerRestartCommand(program: Command, action: ActionFactory): void {
  program
    .command("restart")
    .description("restart a service's replicas one by one, with no downtime")
    .argument("<service>", "the service")
    .option("--env <environment>", "the environment (default: the service's first)")
    .option("--no-wait", "return once the restart has started")
    .option("--timeout <duration>", "how long to wait for the restart", DEFAULT_WAIT_TIMEOUT)
    .action(
      action(async (ctx, command) => {
        const [service] = command.processedArgs as [string];
        const options = command.opts<RestartOptions>();
        const deadline = await Deadline.parse(options.timeout);
        const client = await ctx.client();
        const environment = await environmentOrFirst(client, service, options.env);
        await runServerRollout(ctx, client, {
          service,
          path: apiPath("services", service, "restart"),
          body: { environment },
          doing: "restarting",
          wait: options.wait,
          deadline,
        });
      }),
    );
}
