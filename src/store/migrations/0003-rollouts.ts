import type { Kysely } from "kysely";

/**
 * What the deploy controller needs to run and re-adopt replicas: the replica's full runtime spec
 * (to adopt it after a platform restart), a per-environment replica count set by `slipway scale`,
 * and the release a deployment replaced (to roll back to it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("environments").addColumn("replicas_override", "integer").execute();
  await db.schema.alterTable("replicas").addColumn("spec_json", "text").execute();
  await db.schema.alterTable("replicas").addColumn("last_log", "text").execute();
  await db.schema.alterTable("deployments").addColumn("previous_release_id", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("deployments").dropColumn("previous_release_id").execute();
  await db.schema.alterTable("replicas").dropColumn("last_log").execute();
  await db.schema.alterTable("replicas").dropColumn("spec_json").execute();
  await db.schema.alterTable("environments").dropColumn("replicas_override").execute();
}
