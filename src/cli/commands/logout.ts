import type { Command } from "commander";
import type { ActionFactory } from "../command-action.js";
import { saveConfig } from "../config-file.js";

/** `slipway logout`: forgets the saved token (the token itself stays valid until revoked). */
export function registerLogoutCommand(program: Command, action: ActionFactory): void {
  program
    .command("logout")
    .description("forget the saved token (revoke it with `slipway tokens revoke` to end it everywhere)")
    .action(
      action(async (ctx) => {
        const config = await ctx.config();
        const hadToken = config?.token !== undefined;
        if (config && hadToken) {
          await saveConfig(ctx.configPath, { url: config.url });
        }
        if (ctx.output.json) {
          ctx.output.data({ loggedOut: hadToken, url: config?.url ?? null, configPath: ctx.configPath });
          return;
        }
        ctx.output.line(
          hadToken
            ? `logged out of ${config?.url}; the token was removed from ${ctx.configPath}`
            : "not logged in; nothing to do",
        );
      }),
    );
}
