import type { Command } from "commander";
import { whoamiResponse } from "../api-schemas.js";
import { CliError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import { saveConfig } from "../config-file.js";
import { ExitCode } from "../exit-codes.js";
import { ApiError } from "../http-errors.js";
import { DEFAULT_SERVER_URL, normalizeServerUrl } from "../server-url.js";
import { readValueFromUser } from "../terminal-input.js";

/**
 * `slipway login [url]`: checks a token against the server (GET /whoami) and only then saves
 * URL and token in the config file (mode 0600).
 */
export function registerLoginCommand(program: Command, action: ActionFactory): void {
  program
    .command("login")
    .description(
      "save a server URL and API token after checking them (token from --token, SLIPWAY_TOKEN, stdin or a prompt)",
    )
    .argument("[url]", "the Slipway server, e.g. http://127.0.0.1:7420")
    .action(
      action(async (ctx, command) => {
        const [urlArgument] = command.processedArgs as [string | undefined];
        const config = await ctx.config();
        const url = normalizeServerUrl(
          urlArgument ??
            ctx.globals.url ??
            (ctx.io.env.SLIPWAY_URL || undefined) ??
            config?.url ??
            DEFAULT_SERVER_URL,
        );
        const token =
          ctx.globals.token ??
          (ctx.io.env.SLIPWAY_TOKEN || undefined) ??
          (await readValueFromUser(
            "API token",
            ctx.io,
            `pass --token, or pipe it: \`echo $TOKEN | slipway login ${url}\``,
          ));
        const client = ctx.clientFor({ url, token: token.trim() });
        let me: ReturnType<typeof whoamiResponse.parse>;
        try {
          me = await client.get("/api/v1/whoami", whoamiResponse);
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) {
            throw new CliError(`${url} rejected the token: it is invalid, expired or revoked`, {
              hint: "nothing was saved; check the token (an admin can issue one with `slipway tokens create`)",
              exitCode: ExitCode.unauthenticated,
              cause: error,
            });
          }
          throw error;
        }
        await saveConfig(ctx.configPath, { url, token: token.trim() });
        if (ctx.output.json) {
          ctx.output.data({ url, user: me.user, roles: me.roles, configPath: ctx.configPath });
          return;
        }
        ctx.output.line(`logged in to ${url} as ${ctx.output.colors.bold(me.user.name)}`);
        ctx.output.line(`saved to ${ctx.configPath}`);
      }),
    );
}
