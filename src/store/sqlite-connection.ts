import type { DatabaseSync, SQLInputValue, StatementSync } from "node:sqlite";
import type { CompiledQuery, DatabaseConnection, QueryResult } from "kysely";

/** Statements that produce rows, for Node versions whose StatementSync has no `columns()` (before 22.16). */
const RETURNS_ROWS = /^\s*(select|with|values|pragma|explain)\b|\breturning\b/i;

/**
 * One `node:sqlite` connection as Kysely sees it. Calls are synchronous underneath; the driver
 * makes sure only one holder uses the connection at a time.
 */
export class NodeSqliteConnection implements DatabaseConnection {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#db.prepare(compiledQuery.sql);
    const parameters = toSqliteParameters(compiledQuery.parameters);
    if (returnsRows(statement)) {
      return { rows: statement.all(...parameters).map((row) => ({ ...row }) as R) };
    }
    const { changes, lastInsertRowid } = statement.run(...parameters);
    return {
      numAffectedRows: BigInt(changes),
      insertId: BigInt(lastInsertRowid),
      rows: [],
    };
  }

  async *streamQuery<R>(
    compiledQuery: CompiledQuery,
    chunkSize = 100,
  ): AsyncIterableIterator<QueryResult<R>> {
    const statement = this.#db.prepare(compiledQuery.sql);
    if (!returnsRows(statement)) {
      throw new Error("The SQLite store can only stream queries that return rows.");
    }
    const size = Math.max(1, Math.floor(chunkSize));
    let chunk: R[] = [];
    // for…of calls the iterator's return() when the consumer stops early, which resets the statement.
    for (const row of statement.iterate(...toSqliteParameters(compiledQuery.parameters))) {
      chunk.push({ ...row } as R);
      if (chunk.length >= size) {
        yield { rows: chunk };
        chunk = [];
      }
    }
    if (chunk.length > 0) {
      yield { rows: chunk };
    }
  }
}

function returnsRows(statement: StatementSync): boolean {
  if (typeof statement.columns === "function") {
    return statement.columns().length > 0;
  }
  return RETURNS_ROWS.test(statement.sourceSQL);
}

/** node:sqlite binds only null, numbers, bigints, strings and bytes; map the other values Kysely may pass. */
function toSqliteParameters(parameters: readonly unknown[]): SQLInputValue[] {
  return parameters.map((value, index): SQLInputValue => {
    if (value === undefined || value === null) {
      return null;
    }
    if (typeof value === "boolean") {
      return value ? 1 : 0;
    }
    if (value instanceof Date) {
      return value.toISOString();
    }
    if (typeof value === "number" || typeof value === "bigint" || typeof value === "string") {
      return value;
    }
    if (value instanceof Uint8Array) {
      return value;
    }
    throw new TypeError(
      `SQLite cannot store parameter ${index + 1} of type ${typeof value}: encode it as text (e.g. JSON) first.`,
    );
  });
}
