/**
 * Recognises constraint violations from either engine, so repositories can turn them into
 * "already exists" (409) or "not found" answers without knowing which database runs.
 */

/** SQLite extended result codes, as node:sqlite reports them in `errcode`. */
const SQLITE_CONSTRAINT_UNIQUE = 2067;
const SQLITE_CONSTRAINT_PRIMARYKEY = 1555;
const SQLITE_CONSTRAINT_FOREIGNKEY = 787;

/** PostgreSQL SQLSTATE codes, as pg reports them in `code`. */
const PG_UNIQUE_VIOLATION = "23505";
const PG_FOREIGN_KEY_VIOLATION = "23503";

/** True when `error` is a unique or primary key violation (a duplicate name, hash, version…). */
export function isUniqueViolation(error: unknown): boolean {
  const { code, errcode } = codesOf(error);
  return (
    code === PG_UNIQUE_VIOLATION ||
    errcode === SQLITE_CONSTRAINT_UNIQUE ||
    errcode === SQLITE_CONSTRAINT_PRIMARYKEY
  );
}

/** True when `error` is a foreign key violation (a reference to a row that does not exist). */
export function isForeignKeyViolation(error: unknown): boolean {
  const { code, errcode } = codesOf(error);
  return code === PG_FOREIGN_KEY_VIOLATION || errcode === SQLITE_CONSTRAINT_FOREIGNKEY;
}

function codesOf(error: unknown): { code?: unknown; errcode?: unknown } {
  if (typeof error !== "object" || error === null) {
    return {};
  }
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  return { code, errcode };
}
