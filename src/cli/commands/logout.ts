import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import { whoamiResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import type { CommandContext } from "../command-context.js";
import { saveConfig } from "../config-file.js";
import { ApiError } from "../http-errors.js";

/**
 * `slipway logout [--revoke]`: forgets the saved token; with --revoke, revokes it on the server
 * first, so it stops working everywhere (a refused revoke, e.g. of the last admin token, keeps
 * it saved: nothing is forgotten that still matters).
 */
export function registerLogoutCommand(program: Command, action: ActionFactory): void {
  program
    .command("logout")
    .description("forget the saved token; --revoke also ends it on the server, everywhere")
    .option("--revoke", "revoke the token on the server before forgetting it")
    .action(
      action(async (ctx, command) => {
        const { revoke } = command.opts<{ revoke?: boolean }>();
        const config = await ctx.config();
        const token = config?.token;
        const revoked =
          revoke === true && config && token !== undefined
            ? await revokeOwnToken(ctx, config.url, token)
            : null;
        if (config && token !== undefined) {
          await saveConfig(ctx.configPath, { url: config.url });
        }
        if (ctx.output.json) {
          ctx.output.data({
            loggedOut: token !== undefined,
            revoked: revoked?.id ?? null,
            url: config?.url ?? null,
            configPath: ctx.configPath,
          });
          return;
        }
        if (token === undefined) {
          ctx.output.line("not logged in; nothing to do");
          return;
        }
        if (revoked !== null) {
          ctx.output.line(
            revoked.alreadyInvalid
              ? "the token was already invalid, expired or revoked on the server"
              : `revoked token ${revoked.name} (${revoked.id}) on ${config?.url}`,
          );
        }
        ctx.output.line(`logged out of ${config?.url}; the token was removed from ${ctx.configPath}`);
      }),
    );
}

/** Revokes the token the config holds; a token the server already rejects needs no revoking. */
async function revokeOwnToken(
  ctx: CommandContext,
  url: string,
  token: string,
): Promise<{ id: string | null; name: string | null; alreadyInvalid: boolean }> {
  const client = ctx.clientFor({ url, token });
  try {
    const me = await client.get("/api/v1/whoami", whoamiResponse);
    await client.request("DELETE", apiPath("tokens", me.token.id));
    return { id: me.token.id, name: me.token.name, alreadyInvalid: false };
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return { id: null, name: null, alreadyInvalid: true };
    }
    throw error;
  }
}
