import type { Kysely } from "kysely";

/** Why a release's build failed ("exit code 2", "timed out after 30m"), kept on the release itself. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("releases").addColumn("failure_reason", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("releases").dropColumn("failure_reason").execute();
}
