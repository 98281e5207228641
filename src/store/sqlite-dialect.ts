import { DatabaseSync } from "node:sqlite";
import {
  CompiledQuery,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type TransactionSettings,
} from "kysely";
import type { AsyncMutex } from "./async-mutex.js";
import { NodeSqliteConnection } from "./sqlite-connection.js";
import { shareFileMutex } from "./sqlite-file-mutex.js";

/** Options for {@link NodeSqliteDialect}. */
export interface NodeSqliteDialectOptions {
  /** The database file (created if missing), or `:memory:`. */
  path: string;
  /** How long a statement waits for another process's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/**
 * Kysely over Node's built-in `node:sqlite` (no native addon to build). Reuses Kysely's SQLite
 * query compiler and introspector; one connection per dialect, used by one holder at a time.
 *
 * @example
 * const db = new Kysely<Database>({ dialect: new NodeSqliteDialect({ path: "/tmp/x.db" }) });
 */
export class NodeSqliteDialect implements Dialect {
  readonly #options: NodeSqliteDialectOptions;

  constructor(options: NodeSqliteDialectOptions) {
    this.#options = { ...options };
  }

  createDriver(): Driver {
    return new NodeSqliteDriver(this.#options);
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createAdapter(): DialectAdapter {
    return new NodeSqliteAdapter();
  }

  // Kysely's Dialect interface demands Kysely<any> here; the introspector never uses the table types.
  // biome-ignore lint/suspicious/noExplicitAny: signature fixed by Kysely's Dialect interface.
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/**
 * SQLite does run DDL inside transactions; Kysely's stock adapter says otherwise only because some
 * drivers cannot. Saying yes lets the migrator apply each run atomically.
 */
export class NodeSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class NodeSqliteDriver implements Driver {
  readonly #options: NodeSqliteDialectOptions;
  #database: DatabaseSync | undefined;
  #connection: NodeSqliteConnection | undefined;
  #mutex: AsyncMutex | undefined;
  #releaseMutex: (() => void) | undefined;
  #unlock: (() => void) | undefined;

  constructor(options: NodeSqliteDialectOptions) {
    this.#options = options;
  }

  async init(): Promise<void> {
    const database = new DatabaseSync(this.#options.path);
    try {
      // The busy timeout comes first: switching to WAL itself needs a lock another process may hold.
      database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(this.#options.busyTimeoutMs ?? 5000))}`);
      // WAL lets readers run while one writer writes; NORMAL sync is durable across crashes of the
      // process (not of the OS) in WAL mode, and much faster than FULL.
      database.exec("PRAGMA journal_mode = WAL");
      database.exec("PRAGMA foreign_keys = ON");
      database.exec("PRAGMA synchronous = NORMAL");
    } catch (error) {
      database.close();
      throw error;
    }
    const shared = shareFileMutex(this.#options.path);
    this.#database = database;
    this.#connection = new NodeSqliteConnection(database);
    this.#mutex = shared.mutex;
    this.#releaseMutex = shared.release;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#connection === undefined || this.#mutex === undefined) {
      throw new Error("The SQLite store is closed.");
    }
    const unlock = await this.#mutex.lock();
    this.#unlock = unlock;
    return this.#connection;
  }

  async releaseConnection(): Promise<void> {
    const unlock = this.#unlock;
    this.#unlock = undefined;
    unlock?.();
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    // IMMEDIATE takes the write lock up front (waiting out other processes via the busy timeout),
    // so a transaction that reads then writes cannot fail half-way with SQLITE_BUSY.
    const begin = settings.accessMode === "read only" ? "begin" : "begin immediate";
    await connection.executeQuery(CompiledQuery.raw(begin));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async savepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`savepoint ${quoteIdentifier(savepointName)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`rollback to ${quoteIdentifier(savepointName)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, savepointName: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`release ${quoteIdentifier(savepointName)}`));
  }

  async destroy(): Promise<void> {
    this.#database?.close();
    this.#database = undefined;
    this.#connection = undefined;
    this.#releaseMutex?.();
    this.#releaseMutex = undefined;
    this.#mutex = undefined;
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
