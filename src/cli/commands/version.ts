import type { Command } from "commander";
import { versionResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import { cliVersion } from "../version.js";

/** A version check must not hang when the server is away. */
const VERSION_TIMEOUT_MS = 3000;

/** `slipway version`: the CLI's version, and the server's when it answers. */
export function registerVersionCommand(program: Command, action: ActionFactory): void {
  program
    .command("version")
    .description("print the CLI's version, and the server's when it is reachable")
    .action(
      action(async (ctx) => {
        const cli = { version: cliVersion(), node: process.version };
        const client = await ctx.anonymousClient();
        let server: ({ url: string } & ReturnType<typeof versionResponse.parse>) | null = null;
        let serverError: string | undefined;
        try {
          server = {
            url: client.baseUrl,
            ...(await client.get("/api/v1/version", versionResponse, {
              auth: false,
              timeoutMs: VERSION_TIMEOUT_MS,
            })),
          };
        } catch (error) {
          serverError = error instanceof Error ? error.message : String(error);
        }
        if (ctx.output.json) {
          ctx.output.data({ cli, server, ...(serverError ? { serverError } : {}) });
          return;
        }
        ctx.output.line(`slipway CLI ${cli.version} (node ${cli.node})`);
        if (server) {
          const details = [server.node && `node ${server.node}`, server.engine].filter(Boolean).join(", ");
          ctx.output.line(`server ${server.version} at ${server.url}${details ? ` (${details})` : ""}`);
        } else {
          ctx.output.line(`server: not reachable at ${client.baseUrl}`);
        }
      }),
    );
}
