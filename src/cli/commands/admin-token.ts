import { existsSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import type { Kysely } from "kysely";
import { CliError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import { dataDirectory } from "../data-dir.js";

interface AdminTokenOptions {
  data?: string;
  name: string;
}

/**
 * `slipway admin-token`: issues an admin token straight from the data directory (or the
 * PostgreSQL database), for when every admin token is lost, expired or revoked. It needs no
 * running platform and no login: reading the data directory already means holding everything.
 */
export function registerAdminTokenCommand(program: Command, action: ActionFactory): void {
  program
    .command("admin-token")
    .description(
      "issue a new admin token from the data directory, when every admin token is lost (run it on the platform's machine)",
    )
    .option("--data <dir>", "the data directory (default: SLIPWAY_HOME or ~/.slipway)")
    .option("--name <name>", "the token's name", "recovery")
    .action(
      action(async (ctx, command) => {
        const options = command.opts<AdminTokenOptions>();
        const home = dataDirectory(ctx.io, options.data);
        const databaseUrl = ctx.io.env.SLIPWAY_DATABASE_URL || undefined;
        // Loaded here: every other command starts faster without the store.
        const [
          { currentSchemaVersion, latestSchemaVersion, openStore, SQLITE_FILE_NAME },
          { issueRecoveryToken },
        ] = await Promise.all([import("../../store/index.js"), import("../../api/auth/recovery-token.js")]);
        // Checked first: opening would create an empty database where there was none.
        if (databaseUrl === undefined && !existsSync(join(home, SQLITE_FILE_NAME))) {
          throw new CliError(`no Slipway database in ${home}`, {
            hint: "pass the platform's data directory with --data (or SLIPWAY_HOME), or set SLIPWAY_DATABASE_URL for PostgreSQL",
          });
        }
        // Not migrated from here: that is for `slipway up`, once it holds the platform lock.
        const store = await openStore({ home, ...(databaseUrl ? { databaseUrl } : {}), migrate: false });
        try {
          const schema = await currentSchemaVersion(store.db as Kysely<unknown>);
          if (schema !== latestSchemaVersion) {
            throw new CliError(
              `the database at ${store.location} has schema ${schema ?? "none"}; this slipway writes ${latestSchemaVersion}`,
              {
                hint: "run the admin-token of the Slipway version that runs this platform (or start this version's `slipway up` once, which migrates)",
              },
            );
          }
          const issued = await issueRecoveryToken(store, {
            name: options.name,
            actor: localActor(ctx.io.env),
          });
          if (issued === null) {
            throw new CliError(`Slipway has not started on ${store.location} yet`, {
              hint: "`slipway up` creates the first admin and prints its token",
            });
          }
          if (ctx.output.json) {
            ctx.output.data(issued);
            return;
          }
          ctx.output.note(
            `issued admin token ${issued.name} (${issued.id}) for ${issued.user} from ${store.location}` +
              `${issued.roleRestored ? ", and bound admin in every environment again" : ""}; it never expires. ` +
              "Log in with it (slipway login), make the tokens you need, then revoke this one. It is shown only this once:",
          );
          ctx.output.line(issued.token);
        } finally {
          await store.close();
        }
      }),
    );
}

/** Who ran it, for the event and the audit log: the machine's user, as `local:NAME`. */
function localActor(env: NodeJS.ProcessEnv): string {
  let name: string | undefined;
  try {
    name = userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): fall back to the environment.
    name = env.USER || env.LOGNAME;
  }
  return `local:${name || "unknown"}`;
}
