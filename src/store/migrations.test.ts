import { randomBytes } from "node:crypto";
import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kysely, PostgresDialect, sql } from "kysely";
import { describe, expect, it } from "vitest";
import {
  createFreshDatabase,
  describeEachEngine,
  engineAvailable,
  STORE_ENGINES,
} from "../../test/support/store-engines.js";
import { appendEvent, listEvents } from "./events.js";
import { currentSchemaVersion, latestSchemaVersion, migrateTo, migrateToLatest } from "./migrations/index.js";
import { openStore, SQLITE_FILE_NAME, type StoreOptions } from "./open-store.js";
import { createPostgresPool, parseDatabaseUrl } from "./postgres-pool.js";
import type { Database } from "./schema.js";
import { SecretBox } from "./secret-box.js";
import { secretValuesToMask, setSecret } from "./secrets.js";
import { NodeSqliteDialect } from "./sqlite-dialect.js";
import { StoreError } from "./store-error.js";

const SCHEMA_V1_FIXTURE = fileURLToPath(new URL("./testdata/schema-v1.sqlite", import.meta.url));

/** A Kysely on the database of `options` that does NOT migrate: for shaping an old database. */
async function openUnmigrated(options: StoreOptions): Promise<Kysely<Database>> {
  if (options.databaseUrl === undefined) {
    await mkdir(options.home, { recursive: true, mode: 0o700 });
    return new Kysely<Database>({
      dialect: new NodeSqliteDialect({ path: join(options.home, SQLITE_FILE_NAME) }),
    });
  }
  const pool = createPostgresPool(parseDatabaseUrl(options.databaseUrl));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** What schema 0001 held: one service and its timeline. */
async function writeSchemaV1Data(db: Kysely<Database>): Promise<void> {
  await db
    .insertInto("services")
    .values({
      id: "svc_legacy0000000000000000",
      name: "legacy-api",
      spec_json: JSON.stringify({ service: "legacy-api", port: 8080 }),
      spec_source: "service: legacy-api\nport: 8080\n",
      created_at: "2026-01-02T03:04:05.000Z",
      updated_at: "2026-01-02T03:04:05.000Z",
    })
    .execute();
  for (const [index, kind] of ["service.applied", "deployment.started", "deployment.finished"].entries()) {
    await db
      .insertInto("events")
      .values({
        id: `evt_legacy${index}`,
        at: `2026-01-02T03:04:0${5 + index}.000Z`,
        kind,
        service: "legacy-api",
        environment: index === 0 ? null : "staging",
        actor: "ada",
        message: `legacy event ${index}`,
        data_json: JSON.stringify({ step: index }),
      })
      .execute();
  }
}

describeEachEngine("migrations", (getStore, getContext) => {
  it("brings a new database to the latest schema, and opening it again changes nothing", async () => {
    const store = getStore();
    expect(await currentSchemaVersion(store.db as Kysely<unknown>)).toBe(latestSchemaVersion);
    await appendEvent(store.db, { kind: "note", message: "before reopening" });
    await store.close();

    const again = await getContext().openAnother();
    expect(await migrateToLatest(again.db as Kysely<unknown>)).toEqual([]);
    expect((await listEvents(again.db)).map((event) => event.message)).toEqual(["before reopening"]);
  });

  it("creates exactly the tables of schema.ts", async () => {
    const tables = await getStore().db.introspection.getTables();
    const columnsByTable = Object.fromEntries(
      tables.map((table) => [table.name, table.columns.map((column) => column.name).sort()]),
    );
    expect(Object.keys(columnsByTable).sort()).toEqual(
      [
        "audit",
        "deployments",
        "environments",
        "events",
        "releases",
        "replicas",
        "role_bindings",
        "runs",
        "secret_history",
        "secrets",
        "services",
        "tokens",
        "users",
        "workload_users",
      ].sort(),
    );
    expect(columnsByTable.events).toEqual(
      ["seq", "id", "at", "kind", "service", "environment", "actor", "message", "data_json"].sort(),
    );
    expect(columnsByTable.replicas).toEqual(
      [
        "id",
        "deployment_id",
        "environment_id",
        "release_id",
        "driver",
        "state",
        "pid",
        "process_start_time",
        "port",
        "restarts",
        "exit_code",
        "last_log",
        "reason",
        "spec_json",
        "started_at",
        "updated_at",
      ].sort(),
    );
  });

  it("refuses a database written by a newer Slipway, saying so", async () => {
    const store = getStore();
    await sql`insert into kysely_migration (name, timestamp) values ('9999-future', '2030-01-01T00:00:00.000Z')`.execute(
      store.db,
    );
    await store.close();
    const reopening = openStore(getContext().options);
    await expect(reopening).rejects.toBeInstanceOf(StoreError);
    await expect(reopening).rejects.toThrow(/newer version of Slipway/);
  });
});

describe.each(STORE_ENGINES)("schema upgrades [%s]", (engine) => {
  it.skipIf(!engineAvailable(engine))(
    "opens a database of schema 0001 and upgrades it, keeping its rows",
    async () => {
      const fresh = await createFreshDatabase(engine);
      try {
        const old = await openUnmigrated(fresh.options);
        expect(await migrateTo(old as Kysely<unknown>, "0001-core")).toEqual(["0001-core"]);
        await writeSchemaV1Data(old);
        await old.destroy();

        const store = await openStore(fresh.options);
        try {
          await expectUpgraded(store.db);
        } finally {
          await store.close();
        }
      } finally {
        await fresh.dispose();
      }
    },
  );

  it.skipIf(!engineAvailable(engine))(
    "rolls a failing migration back whole and names it in a StoreError",
    async () => {
      const fresh = await createFreshDatabase(engine);
      try {
        const old = await openUnmigrated(fresh.options);
        await migrateTo(old as Kysely<unknown>, "0001-core");
        // A stray table in the way of 0002-access's `tokens` (it creates `users` first).
        await sql`create table tokens (stray integer)`.execute(old);
        await old.destroy();

        const opening = openStore(fresh.options);
        await expect(opening).rejects.toMatchObject({ name: "StoreError", code: "migration_failed" });
        await expect(opening).rejects.toThrow(
          /migrate the state store to schema 0006-workload-users \(migration 0002-access failed/,
        );

        const after = await openUnmigrated(fresh.options);
        try {
          expect(await currentSchemaVersion(after as Kysely<unknown>)).toBe("0001-core");
          const tables = (await after.introspection.getTables()).map((table) => table.name);
          expect(tables).toContain("tokens");
          expect(tables).not.toContain("users");
        } finally {
          await after.destroy();
        }
      } finally {
        await fresh.dispose();
      }
    },
  );
});

describe.each(STORE_ENGINES)("secret history upgrade [%s]", (engine) => {
  it.skipIf(!engineAvailable(engine))(
    "starts the history of secrets set before it, so changing them keeps the old value masked",
    async () => {
      const fresh = await createFreshDatabase(engine);
      try {
        const box = SecretBox.fromKey(randomBytes(32).toString("base64"));
        const old = await openUnmigrated(fresh.options);
        await migrateTo(old as Kysely<unknown>, "0003-rollouts");
        // What setSecret wrote before schema 0004: a row in `secrets` only.
        await old
          .insertInto("secrets")
          .values({
            id: "sec_legacy",
            service: "api",
            environment: "*",
            name: "API_KEY",
            sealed: box.seal("legacy-value", "api/*/API_KEY"),
            created_at: "2026-01-02T03:04:05.000Z",
            updated_at: "2026-01-02T03:04:05.000Z",
            updated_by: null,
          })
          .execute();
        await old.destroy();

        const store = await openStore(fresh.options);
        try {
          await setSecret(store.db, box, {
            service: "api",
            environment: "*",
            name: "API_KEY",
            value: "new-value",
            actor: null,
          });
          expect((await secretValuesToMask(store.db, box, "api", "staging")).sort()).toEqual([
            "legacy-value",
            "new-value",
          ]);
        } finally {
          await store.close();
        }
      } finally {
        await fresh.dispose();
      }
    },
  );
});

describe("schema upgrades from a committed SQLite file", () => {
  it("opens testdata/schema-v1.sqlite (written by schema 0001) and upgrades it", async () => {
    const fresh = await createFreshDatabase("sqlite");
    try {
      await mkdir(fresh.options.home, { recursive: true });
      await copyFile(SCHEMA_V1_FIXTURE, join(fresh.options.home, SQLITE_FILE_NAME));
      const store = await openStore(fresh.options);
      try {
        await expectUpgraded(store.db);
      } finally {
        await store.close();
      }
    } finally {
      await fresh.dispose();
    }
  });

  // Regenerate with: SLIPWAY_WRITE_FIXTURES=1 npx vitest run src/store/migrations.test.ts
  it.runIf(process.env.SLIPWAY_WRITE_FIXTURES === "1")("writes testdata/schema-v1.sqlite", async () => {
    const fresh = await createFreshDatabase("sqlite");
    try {
      const db = await openUnmigrated(fresh.options);
      await migrateTo(db as Kysely<unknown>, "0001-core");
      await writeSchemaV1Data(db);
      // Leave one self-contained file: no -wal beside it.
      await sql`pragma wal_checkpoint(truncate)`.execute(db);
      await sql`pragma journal_mode = delete`.execute(db);
      await db.destroy();
      await copyFile(join(fresh.options.home, SQLITE_FILE_NAME), SCHEMA_V1_FIXTURE);
    } finally {
      await fresh.dispose();
    }
  });
});

async function expectUpgraded(db: Kysely<Database>): Promise<void> {
  expect(await currentSchemaVersion(db as Kysely<unknown>)).toBe(latestSchemaVersion);
  const services = await db.selectFrom("services").selectAll().execute();
  expect(services).toEqual([
    expect.objectContaining({ name: "legacy-api", spec_source: "service: legacy-api\nport: 8080\n" }),
  ]);
  const events = await listEvents(db, { service: "legacy-api" });
  expect(events.map((event) => [event.seq, event.kind, event.data])).toEqual([
    [1, "service.applied", { step: 0 }],
    [2, "deployment.started", { step: 1 }],
    [3, "deployment.finished", { step: 2 }],
  ]);
  // The timeline keeps counting from where the old schema left off.
  const next = await appendEvent(db, { kind: "note", message: "after the upgrade", service: "legacy-api" });
  expect(next.seq).toBe(4);
  // And the tables the upgrade added work.
  await db
    .insertInto("users")
    .values({ id: "usr_1", name: "ada", created_at: "2026-02-01T00:00:00.000Z", disabled: 0 })
    .execute();
  await db
    .insertInto("tokens")
    .values({ id: "tok_1", user_id: "usr_1", name: "laptop", hash: "ab", prefix: "slp_ab", created_at: "x" })
    .execute();
  expect(await db.selectFrom("tokens").select("name").execute()).toEqual([{ name: "laptop" }]);
}
