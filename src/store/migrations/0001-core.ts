import type { Kysely } from "kysely";
import { sequenceColumn } from "./sequence-column.js";

// Migrations are history: once released, never edit one; add the next file instead. They use
// Kysely<unknown> rather than schema.ts so today's types cannot silently change yesterday's DDL.

/** Services, their environments, releases, deployments, replicas, pipeline runs and the event log. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("services")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("spec_json", "text", (column) => column.notNull())
    .addColumn("spec_source", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("updated_at", "text", (column) => column.notNull())
    .addUniqueConstraint("services_name_unique", ["name"])
    .execute();

  await db.schema
    .createTable("environments")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("service_id", "text", (column) =>
      column.notNull().references("services.id").onDelete("cascade"),
    )
    .addColumn("name", "text", (column) => column.notNull())
    .addColumn("position", "integer", (column) => column.notNull())
    .addColumn("approval_required", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("created_at", "text", (column) => column.notNull())
    .addUniqueConstraint("environments_service_name_unique", ["service_id", "name"])
    .execute();

  await db.schema
    .createTable("releases")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("service_id", "text", (column) =>
      column.notNull().references("services.id").onDelete("cascade"),
    )
    .addColumn("version", "integer", (column) => column.notNull())
    .addColumn("commit_sha", "text")
    .addColumn("spec_json", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("artifact", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .addUniqueConstraint("releases_service_version_unique", ["service_id", "version"])
    .execute();

  await db.schema
    .createTable("deployments")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("release_id", "text", (column) =>
      column.notNull().references("releases.id").onDelete("cascade"),
    )
    .addColumn("environment_id", "text", (column) =>
      column.notNull().references("environments.id").onDelete("cascade"),
    )
    .addColumn("strategy", "text", (column) => column.notNull())
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("reason", "text")
    .addColumn("plan_json", "text")
    .addColumn("created_by", "text")
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("finished_at", "text")
    .execute();
  // PostgreSQL does not index foreign keys by itself; cascading deletes and "deployments of this
  // environment" both need these.
  await db.schema.createIndex("deployments_release_idx").on("deployments").column("release_id").execute();
  await db.schema
    .createIndex("deployments_environment_idx")
    .on("deployments")
    .columns(["environment_id", "created_at"])
    .execute();

  await db.schema
    .createTable("replicas")
    .addColumn("id", "text", (column) => column.primaryKey())
    .addColumn("deployment_id", "text", (column) =>
      column.notNull().references("deployments.id").onDelete("cascade"),
    )
    .addColumn("environment_id", "text", (column) =>
      column.notNull().references("environments.id").onDelete("cascade"),
    )
    .addColumn("release_id", "text", (column) =>
      column.notNull().references("releases.id").onDelete("cascade"),
    )
    .addColumn("driver", "text", (column) => column.notNull())
    .addColumn("state", "text", (column) => column.notNull())
    .addColumn("pid", "integer")
    .addColumn("process_start_time", "text")
    .addColumn("port", "integer")
    .addColumn("restarts", "integer", (column) => column.notNull().defaultTo(0))
    .addColumn("exit_code", "integer")
    .addColumn("reason", "text")
    .addColumn("started_at", "text")
    .addColumn("updated_at", "text", (column) => column.notNull())
    .execute();
  await db.schema.createIndex("replicas_deployment_idx").on("replicas").column("deployment_id").execute();
  await db.schema.createIndex("replicas_environment_idx").on("replicas").column("environment_id").execute();
  await db.schema.createIndex("replicas_release_idx").on("replicas").column("release_id").execute();

  await db.schema
    .createTable("runs")
    .addColumn("id", "text", (column) => column.primaryKey())
    // A run outlives its service (its logs are history), so deleting the service only unlinks it.
    .addColumn("service_id", "text", (column) => column.references("services.id").onDelete("set null"))
    .addColumn("workflow", "text", (column) => column.notNull())
    .addColumn("commit_sha", "text")
    .addColumn("status", "text", (column) => column.notNull())
    .addColumn("created_at", "text", (column) => column.notNull())
    .addColumn("finished_at", "text")
    .execute();
  await db.schema.createIndex("runs_service_idx").on("runs").columns(["service_id", "created_at"]).execute();

  await db.schema
    .createTable("events")
    .addColumn("seq", "integer", sequenceColumn(db))
    .addColumn("id", "text", (column) => column.notNull())
    .addColumn("at", "text", (column) => column.notNull())
    .addColumn("kind", "text", (column) => column.notNull())
    .addColumn("service", "text")
    .addColumn("environment", "text")
    .addColumn("actor", "text")
    .addColumn("message", "text", (column) => column.notNull())
    .addColumn("data_json", "text")
    .addUniqueConstraint("events_id_unique", ["id"])
    .execute();
  await db.schema.createIndex("events_service_seq_idx").on("events").columns(["service", "seq"]).execute();
  await db.schema.createIndex("events_kind_idx").on("events").column("kind").execute();
  await db.schema.createIndex("events_at_idx").on("events").column("at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ["events", "runs", "replicas", "deployments", "releases", "environments", "services"]) {
    await db.schema.dropTable(table).execute();
  }
}
