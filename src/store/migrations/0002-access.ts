import type { Kysely } from "kysely";
import { sequenceColumn } from "./sequence-column.js";

/** Users, API tokens, per-environment role bindings, encrypted secrets and the audit log. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("users")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("disabled", "integer", (column) => column.notNull().defaultTo(0))
    .addUniqueConstraint("users_name_unique", ["name"])
    .execute();

  await db.schema
    .createTable("tokens")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("user_id", "text", (column) => column.notNull().references("users.id").onDelete("cascade"))
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("hash", "text", (column) => column.notNull())
    .addColumn("prefix", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("expires_at", "text")
    .addColumn("revoked_at", "text")
    .addColumn("last_used_at", "text")
    .addUniqueConstraint("tokens_hash_unique", ["hash"])
    .execute();
  await db.schema.createIndex("tokens_user_idx").on("tokens").column("user_id").execute();

  await db.schema
    .createTable("role_bindings")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("user_id", "text", (column) => column.notNull().references("users.id").onDelete("cascade"))
    .addColumn("role", "text", (column) => column.notNull())
    .addColumn("environment", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addUniqueConstraint("role_bindings_user_environment_unique", ["user_id", "environment"])
    .execute();

  await db.schema
    .createTable("secrets")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("service", "text", (column) => column.notNull())
    .addColumn("environment", "text", (column) => column.notNull())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("sealed", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("updated_at", "text", (column) => column.notNull())
    .addColumn("updated_by", "text")
    .addUniqueConstraint("secrets_service_environment_name_unique", ["service", "environment", "name"])
    .execute();

  await db.schema
    .createTable("audit")
    .addColumn("seq", "integer", sequenceColumn(db))
    .addColumn("id", "text", (column) => column.notNull())
    .addColumn("at", "text", (column) => column.notNull())
    .addColumn("actor", "text")
    .addColumn("action", "text", (column) => column.notNull())
    .addColumn("target", "text", (column) => column.notNull())
    .addColumn("ip", "text")
    .addColumn("request_id", "text")
    .addColumn("status", "integer", (column) => column.notNull())
    .addColumn("result", "text", (column) => column.notNull())
    .addUniqueConstraint("audit_id_unique", ["id"])
    .execute();
  await db.schema.createIndex("audit_at_idx").on("audit").column("at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["audit", "secrets", "role_bindings", "tokens", "users"]) {
    await db.schema.dropTable(table).execute();
  }
}
