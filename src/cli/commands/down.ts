import type { Command } from "commander";
import { z } from "zod";
import { apiPath } from "../api-path.js";
import type { ActionFactory } from "../command-action.js";

const downResponse = z.object({ stopping: z.literal(true) });

/**
 * `slipway down`: stops every replica, then the platform. Ctrl-C (or SIGTERM) of `slipway up`
 * stops only the platform: replicas keep serving until the next `up` adopts them.
 */
export function registerDownCommand(program: Command, action: ActionFactory): void {
  program
    .command("down")
    .description("stop every replica, then the platform (Ctrl-C of `slipway up` leaves replicas serving)")
    .action(
      action(async (ctx) => {
        const client = await ctx.client();
        await client.send("POST", apiPath("platform", "down"), downResponse);
        if (ctx.output.json) {
          ctx.output.data({ stopping: true });
          return;
        }
        ctx.output.line("Slipway is stopping every replica, then itself.");
      }),
    );
}
