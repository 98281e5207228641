import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, beforeEach, describe, inject } from "vitest";
import { openStore, type Store, type StoreEngine, type StoreOptions } from "../../src/store/index.js";
import "./provided-context.js";

/** The engines every store-backed suite runs against. */
export const STORE_ENGINES: readonly StoreEngine[] = ["sqlite", "postgres"];

/** An empty database of one engine (nothing migrated yet), and the options that open it. */
export interface FreshDatabase {
  engine: StoreEngine;
  /** Pass to `openStore`; `home` is a temp dir that does not exist yet (openStore creates it). */
  options: StoreOptions;
  /** Drops the database (PostgreSQL) and deletes the temp home. */
  dispose(): Promise<void>;
}

/** What a test in {@link describeEachEngine} can reach. */
export interface EngineTestContext {
  engine: StoreEngine;
  /** The store opened (and migrated) for this test. */
  store: Store;
  /** The options `store` was opened with: open them again to reach the same database. */
  options: StoreOptions;
  /** Opens one more store on the same database; it is closed after the test. */
  openAnother(): Promise<Store>;
}

/** The admin URL of the test PostgreSQL server, or null when the global setup could not start one. */
export function postgresTestUrl(): string | null {
  return inject("slipwayPostgresUrl") ?? null;
}

/** True when tests for `engine` can run here. */
export function engineAvailable(engine: StoreEngine): boolean {
  return engine === "sqlite" || postgresTestUrl() !== null;
}

/**
 * Runs a suite once per engine (SQLite and PostgreSQL). Every test gets a fresh, migrated store:
 * SQLite in a new temp home, PostgreSQL in a new database (`slipway_test_<random>`) dropped after
 * the test. The PostgreSQL half is skipped when the global setup had no server (never in CI).
 *
 * @example
 * import { expect, it } from "vitest";
 * import { describeEachEngine } from "../../test/support/store-engines.js";
 *
 * describeEachEngine("services", (getStore, getContext) => {
 *   it("stores a service", async () => {
 *     const { db } = getStore();
 *     await db.insertInto("services").values({ ... }).execute();
 *     expect(await db.selectFrom("services").selectAll().execute()).toHaveLength(1);
 *   });
 *   it("survives a restart", async () => {
 *     const again = await getContext().openAnother(); // same database, closed after the test
 *   });
 * });
 */
export function describeEachEngine(
  name: string,
  suite: (getStore: () => Store, getContext: () => EngineTestContext) => void,
): void {
  for (const engine of STORE_ENGINES) {
    describe.skipIf(!engineAvailable(engine))(`${name} [${engine}]`, () => {
      let context: EngineTestContext | undefined;
      let cleanups: (() => Promise<void>)[] = [];

      beforeEach(async () => {
        const fresh = await createFreshDatabase(engine);
        cleanups.push(fresh.dispose);
        const store = await openStore(fresh.options);
        cleanups.push(store.close);
        context = {
          engine,
          store,
          options: fresh.options,
          openAnother: async () => {
            const another = await openStore(fresh.options);
            cleanups.push(another.close);
            return another;
          },
        };
      });

      afterEach(async () => {
        // Stores first (newest first), then the database and home they used.
        const pending = cleanups.reverse();
        cleanups = [];
        context = undefined;
        for (const cleanup of pending) {
          await cleanup();
        }
      });

      const current = (): EngineTestContext => {
        if (context === undefined) {
          throw new Error("The store exists only inside a test (it, beforeEach, afterEach).");
        }
        return context;
      };
      suite(() => current().store, current);
    });
  }
}

/**
 * An empty database for `engine` that no store has opened yet: for tests that must shape it
 * first (e.g. migrate to an older schema). Call `dispose()` when done.
 */
export async function createFreshDatabase(engine: StoreEngine): Promise<FreshDatabase> {
  const root = await mkdtemp(join(tmpdir(), "slipway-store-"));
  const home = join(root, "home");
  if (engine === "sqlite") {
    return { engine, options: { home }, dispose: () => rm(root, { recursive: true, force: true }) };
  }
  const adminUrl = postgresTestUrl();
  if (adminUrl === null) {
    await rm(root, { recursive: true, force: true });
    throw new Error("No test PostgreSQL server: see test/support/postgres-global-setup.ts.");
  }
  const database = `slipway_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return {
    engine,
    options: { home, databaseUrl: url.href },
    dispose: async () => {
      // FORCE ends connections a failed test may have left open.
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await rm(root, { recursive: true, force: true });
    },
  };
}

let adminPool: { url: string; pool: pg.Pool } | undefined;

/** One small admin pool per test worker: a new connection per CREATE/DROP would cost more than they do. */
async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  if (adminPool?.url !== adminUrl) {
    await adminPool?.pool.end();
    // allowExitOnIdle: an idle admin connection must not keep the worker process alive.
    adminPool = {
      url: adminUrl,
      pool: new pg.Pool({ connectionString: adminUrl, max: 2, allowExitOnIdle: true }),
    };
  }
  await adminPool.pool.query(statement);
}
