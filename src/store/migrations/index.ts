import type { Kysely } from "kysely";
import { type Migration, type MigrationResultSet, Migrator } from "kysely/migration";
import { StoreError } from "../store-error.js";
import * as core from "./0001-core.js";
import * as access from "./0002-access.js";
import * as rollouts from "./0003-rollouts.js";
import * as secretHistory from "./0004-secret-history.js";
import * as releaseFailures from "./0005-release-failures.js";
import * as workloadUsers from "./0006-workload-users.js";

/**
 * Every migration, in order. A static list rather than a folder scan, so the compiled `dist/`
 * needs no file system lookups and a bundler cannot drop a migration.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  "0001-core": core,
  "0002-access": access,
  "0003-rollouts": rollouts,
  "0004-secret-history": secretHistory,
  "0005-release-failures": releaseFailures,
  "0006-workload-users": workloadUsers,
});

/** The name of the newest migration: the schema version this build of Slipway writes. */
export const latestSchemaVersion = "0006-workload-users";

/** Brings the database up to {@link latestSchemaVersion}; returns the names of the migrations applied. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  return check(await migratorFor(db).migrateToLatest(), latestSchemaVersion);
}

/** Migrates up (or down) to exactly `version`: for tests that need a database of an older schema. */
export async function migrateTo(db: Kysely<unknown>, version: string): Promise<string[]> {
  if (!(version in migrations)) {
    throw new StoreError("migration_failed", `Unknown schema version "${version}".`);
  }
  return check(await migratorFor(db).migrateTo(version), version);
}

/** The schema version the database is at, or null when no migration has run. */
export async function currentSchemaVersion(db: Kysely<unknown>): Promise<string | null> {
  const applied = (await migratorFor(db).getMigrations()).filter((info) => info.executedAt !== undefined);
  return applied.at(-1)?.name ?? null;
}

function migratorFor(db: Kysely<unknown>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
  });
}

function check(resultSet: MigrationResultSet, target: string): string[] {
  const results = resultSet.results ?? [];
  if (resultSet.error !== undefined) {
    const failed = results.find((result) => result.status === "Error")?.migrationName;
    const cause = (
      resultSet.error instanceof Error ? resultSet.error.message : String(resultSet.error)
    ).replace(/\.$/, "");
    const where = failed === undefined ? "" : ` (migration ${failed} failed; nothing of it was kept)`;
    // Kysely refuses a database that has migrations this build does not know: it was written by a newer Slipway.
    const hint = /missing/i.test(cause)
      ? " The database was written by a newer version of Slipway: upgrade Slipway, or restore a backup."
      : "";
    throw new StoreError(
      "migration_failed",
      `Could not migrate the state store to schema ${target}${where}: ${cause}.${hint}`,
      { cause: resultSet.error },
    );
  }
  return results.filter((result) => result.status === "Success").map((result) => result.migrationName);
}
