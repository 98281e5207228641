import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import type { ActionFactory } from "../command-action.js";
import { parseCount } from "../parse-count.js";
import { scaleResponse } from "../run-api-schemas.js";
import { environmentOrFirst } from "../service-environment.js";

/** The most replicas the API accepts for one environment. */
const MAX_REPLICAS = 100;

/** `slipway scale SERVICE N`: sets how many replicas an environment runs (0 stops it). */
export function registerScaleCommand(program: Command, action: ActionFactory): void {
  program
    .command("scale")
    .description("set how many replicas of a service run in an environment (0 stops it)")
    .argument("<service>", "the service")
    .argument("<replicas>", `the number of replicas, 0 to ${MAX_REPLICAS}`)
    .option("--env <environment>", "the environment (default: the service's first)")
    .action(
      action(async (ctx, command) => {
        const [service, count] = command.processedArgs as [string, string];
        const { env } = command.opts<{ env?: string }>();
        const replicas = parseCount(count, "replicas", 0, MAX_REPLICAS);
        const client = await ctx.client();
        const environment = await environmentOrFirst(client, service, env);
        const scaled = await client.send("POST", apiPath("services", service, "scale"), scaleResponse, {
          body: { environment, replicas },
        });
        if (ctx.output.json) {
          ctx.output.data({ service, ...scaled });
          return;
        }
        const noun = scaled.replicas === 1 ? "replica" : "replicas";
        ctx.output.line(`scaled ${service} in ${scaled.environment} to ${scaled.replicas} ${noun}`);
      }),
    );
}
