import type { Kysely } from "kysely";

/**
 * The numeric users replicas and builds run as, one per environment of a service (and one per
 * service for its builds), allocated once and kept: files a replica wrote in its home stay its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("workload_users")
    .addColumn("name", "text", (column) => column.primaryKey())
    // bigint: the blocks reach 4,000,000,000, past PostgreSQL's integer.
    .addColumn("uid", "bigint", (column) => column.notNull().unique())
    .addColumn("created_at", "text", (column) => column.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("workload_users").execute();
}
