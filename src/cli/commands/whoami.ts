import type { Command } from "commander";
import { whoamiResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import { formatRelativeTime } from "../output/format-time.js";

/** `slipway whoami`: who the token belongs to, and their roles per environment. */
export function registerWhoamiCommand(program: Command, action: ActionFactory): void {
  program
    .command("whoami")
    .description("show who you are logged in as, and your roles")
    .action(
      action(async (ctx) => {
        const client = await ctx.client();
        const me = await client.get("/api/v1/whoami", whoamiResponse);
        const { output } = ctx;
        if (output.json) {
          output.data({ url: client.baseUrl, ...me });
          return;
        }
        output.line(`${output.colors.bold(me.user.name)} at ${client.baseUrl}`);
        const roles = me.roles.map(
          (binding) =>
            `${binding.role} on ${binding.environment === "*" ? "all environments" : binding.environment}`,
        );
        output.line(`roles: ${roles.length > 0 ? roles.join(", ") : "none (ask an admin for one)"}`);
        const expires =
          me.token.expiresAt === null
            ? "never expires"
            : `expires ${formatRelativeTime(me.token.expiresAt, new Date())}`;
        output.line(`token: ${me.token.name} (${me.token.id}), ${expires}`);
      }),
    );
}
