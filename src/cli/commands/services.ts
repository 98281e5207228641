import type { Command } from "commander";
import { serviceListResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import { formatRelativeTime } from "../output/format-time.js";

/** `slipway services`: every service the server knows, with its environments. */
export function registerServicesCommand(program: Command, action: ActionFactory): void {
  program
    .command("services")
    .description("list the services")
    .action(
      action(async (ctx) => {
        const client = await ctx.client();
        const { services } = await client.get("/api/v1/services", serviceListResponse);
        if (ctx.output.json) {
          ctx.output.data({ services });
          return;
        }
        const now = new Date();
        ctx.output.table(
          ["NAME", "ENVIRONMENTS", "UPDATED"],
          services.map((service) => [
            service.name,
            service.environments
              .map((environment) => (typeof environment === "string" ? environment : environment.name))
              .join(", ") || "-",
            formatRelativeTime(service.updatedAt, now, "-"),
          ]),
          "no services yet: run `slipway apply` in a directory with a slipway.yaml",
        );
      }),
    );
}
