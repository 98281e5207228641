import { type Kysely, sql } from "kysely";

/**
 * Every value a secret has had, sealed like the secret itself: a replica that still runs with an
 * old value, or an old log line, may print it, and the log API must keep masking it after the
 * secret is changed or removed. Secrets set before this schema start their history here.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("secret_history")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("service", "text", (column) => column.notNull())
    .addColumn("environment", "text", (column) => column.notNull())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("sealed", "text", (column) => column.notNull())
    .addColumn("set_at", "text", (column) => column.notNull())
    .execute();
  await db.schema
    .createIndex("secret_history_service_environment_idx")
    .on("secret_history")
    .columns(["service", "environment"])
    .execute();
  // The sealed text is copied as is: it is bound to service/environment/name, which the row keeps.
  await sql`
    insert into secret_history (id, service, environment, name, sealed, set_at)
    select 'shv_' || id, service, environment, name, sealed, updated_at from secrets
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("secret_history").execute();
}
