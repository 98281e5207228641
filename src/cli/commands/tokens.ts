import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import { issuedTokenResponse, tokenListResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import { formatRelativeTime } from "../output/format-time.js";

type TokenSummary = ReturnType<typeof tokenListResponse.parse>["tokens"][number];

/** `slipway tokens list|create|revoke`: API tokens (listing never shows a token again). */
export function registerTokensCommand(program: Command, action: ActionFactory): void {
  const tokens = program.command("tokens").description("list, create and revoke API tokens");

  tokens
    .command("list")
    .description("list your tokens (admins: --all for everyone's)")
    .option("--all", "every user's tokens (admin)")
    .action(
      action(async (ctx, command) => {
        const { all } = command.opts<{ all?: boolean }>();
        const client = await ctx.client();
        const response = await client.get("/api/v1/tokens", tokenListResponse, {
          query: { all: all ? "true" : undefined },
        });
        if (ctx.output.json) {
          ctx.output.data(response);
          return;
        }
        const now = new Date();
        ctx.output.table(
          ["ID", "NAME", "USER", "PREFIX", "CREATED", "EXPIRES", "LAST USED", "STATE"],
          response.tokens.map((token) => [
            token.id,
            token.name,
            token.user ?? "-",
            `${token.prefix}…`,
            formatRelativeTime(token.createdAt, now),
            formatRelativeTime(token.expiresAt, now),
            formatRelativeTime(token.lastUsedAt, now),
            tokenState(token, now),
          ]),
          "no tokens",
        );
      }),
    );

  tokens
    .command("create")
    .description("create a token; it is shown once, in this output")
    .argument("<name>", "what the token is for, e.g. ci or laptop")
    .option("--expires <duration>", "lifetime such as 12h or 30d (default: never expires)")
    .option("--user <user>", "issue the token for another user (admin)")
    .action(
      action(async (ctx, command) => {
        const [name] = command.processedArgs as [string];
        const options = command.opts<{ expires?: string; user?: string }>();
        const client = await ctx.client();
        const issued = await client.send("POST", "/api/v1/tokens", issuedTokenResponse, {
          body: {
            name,
            ...(options.expires ? { expiresIn: options.expires } : {}),
            ...(options.user ? { user: options.user } : {}),
          },
        });
        if (ctx.output.json) {
          ctx.output.data(issued);
          return;
        }
        const expires =
          issued.expiresAt === null
            ? "never expires"
            : `expires ${formatRelativeTime(issued.expiresAt, new Date())}`;
        ctx.output.note(
          `created token ${issued.name} (${issued.id}), ${expires}. It is shown only this once:`,
        );
        ctx.output.line(issued.token);
      }),
    );

  tokens
    .command("revoke")
    .description("revoke a token by id (see `slipway tokens list`)")
    .argument("<id>", "the token's id")
    .action(
      action(async (ctx, command) => {
        const [id] = command.processedArgs as [string];
        const client = await ctx.client();
        await client.request("DELETE", apiPath("tokens", id));
        if (ctx.output.json) {
          ctx.output.data({ revoked: id });
          return;
        }
        ctx.output.line(`revoked token ${id}`);
      }),
    );
}

/** `active`, `revoked` or `expired`, for the table. */
export function tokenState(token: TokenSummary, now: Date): string {
  if (token.revokedAt !== null) {
    return "revoked";
  }
  if (token.expiresAt !== null && Date.parse(token.expiresAt) <= now.getTime()) {
    return "expired";
  }
  return "active";
}
