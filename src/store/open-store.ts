import { chmod, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import type { StoreEngine } from "./engine.js";
import { migrateToLatest } from "./migrations/index.js";
import { type HeldInstanceLock, lockPostgresForInstance } from "./postgres-instance-lock.js";
import { createPostgresPool, parseDatabaseUrl, redactDatabaseUrl, scrubPassword } from "./postgres-pool.js";
import type { Database } from "./schema.js";
import { NodeSqliteDialect } from "./sqlite-dialect.js";
import { StoreError } from "./store-error.js";

/** Where the store keeps its data. */
export interface StoreOptions {
  /** The data directory (SLIPWAY_HOME); holds `slipway.db` unless `databaseUrl` is set. */
  home: string;
  /** SLIPWAY_DATABASE_URL: `postgres://…` or `postgresql://…` selects PostgreSQL. */
  databaseUrl?: string;
  /**
   * False to open without migrating, for a caller that must take the instance lock first (so a
   * second platform never migrates a schema under the running one); it then calls `migrate()`.
   */
  migrate?: boolean;
}

/** An open, migrated state store. */
export interface Store {
  db: Kysely<Database>;
  engine: StoreEngine;
  /** The SQLite file, or the PostgreSQL URL without its password: for "data in …" messages. */
  location: string;
  /** Fails when the database cannot answer a trivial query (for readiness checks). */
  ping(): Promise<void>;
  /**
   * Takes the lock that keeps a second platform off this database (PostgreSQL's advisory lock);
   * null for SQLite, whose file lives in the data directory and is covered by its lock.
   */
  lockForInstance(): Promise<HeldInstanceLock | null>;
  /** Migrates to the latest schema (done by openStore unless it was asked not to). */
  migrate(): Promise<void>;
  /** Closes every connection; safe to call twice. */
  close(): Promise<void>;
}

/** The file name of the embedded database inside the data directory. */
export const SQLITE_FILE_NAME = "slipway.db";

/**
 * Opens the state store and migrates it to the latest schema: SQLite in `<home>/slipway.db` by
 * default, PostgreSQL when `databaseUrl` is a `postgres://` URL.
 *
 * @example
 * const store = await openStore({ home: "/root/.slipway", databaseUrl: process.env.SLIPWAY_DATABASE_URL });
 * await store.db.selectFrom("services").selectAll().execute();
 * await store.close();
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  const databaseUrl = options.databaseUrl?.trim() ?? "";
  const store = databaseUrl === "" ? await openSqlite(options.home) : await openPostgres(databaseUrl);
  if (options.migrate !== false) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
  }
  return store;
}

async function openSqlite(home: string): Promise<Store> {
  await ensureDataDirectory(home);
  const file = join(home, SQLITE_FILE_NAME);
  const db = new Kysely<Database>({ dialect: new NodeSqliteDialect({ path: file }) });
  const store = makeStore(db, "sqlite", file);
  try {
    await store.ping();
    // It holds token hashes and sealed secrets: its owner's alone, whatever the umask or the
    // directory it was created in (SQLite gives -wal and -shm the database's own mode).
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      await chmod(path, 0o600).catch(() => undefined);
    }
  } catch (error) {
    await store.close();
    throw new StoreError(
      "database_unreachable",
      `Cannot open the SQLite database ${file}: ${messageOf(error)}. Check the file is a Slipway database and readable, or point SLIPWAY_HOME elsewhere.`,
      { cause: error },
    );
  }
  return store;
}

async function openPostgres(databaseUrl: string): Promise<Store> {
  // Also rejects URLs of other schemes (mysql://, a file path…) with a message saying what is expected.
  const url = parseDatabaseUrl(databaseUrl);
  const pool = createPostgresPool(url);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const store = makeStore(db, "postgres", redactDatabaseUrl(url), () => lockPostgresForInstance(url));
  try {
    await store.ping();
  } catch (error) {
    await store.close();
    throw new StoreError(
      "database_unreachable",
      `Cannot connect to PostgreSQL at ${store.location} (SLIPWAY_DATABASE_URL): ${scrubPassword(messageOf(error), url)}. Check the server is running and the URL, user and password are right.`,
      { cause: error },
    );
  }
  return store;
}

function makeStore(
  db: Kysely<Database>,
  engine: StoreEngine,
  location: string,
  lockForInstance: () => Promise<HeldInstanceLock | null> = async () => null,
): Store {
  let closing: Promise<void> | undefined;
  return {
    db,
    engine,
    location,
    lockForInstance,
    migrate: async () => {
      await migrateToLatest(db as Kysely<unknown>);
    },
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => {
      closing ??= db.destroy();
      return closing;
    },
  };
}

/** Creates the data directory private to its owner (it holds the database and the secret key). */
export async function ensureDataDirectory(home: string): Promise<void> {
  try {
    await mkdir(home, { recursive: true, mode: 0o700 });
    const info = await stat(home);
    if (!info.isDirectory()) {
      throw new Error("it exists and is not a directory");
    }
  } catch (error) {
    throw new StoreError(
      "bad_home",
      `Cannot use ${home} as the Slipway data directory (SLIPWAY_HOME): ${messageOf(error)}. Point SLIPWAY_HOME at a writable directory.`,
      { cause: error },
    );
  }
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\.$/, "");
}
