/** What went wrong while opening or migrating the store; each has a message that says what to fix. */
export type StoreErrorCode =
  | "bad_database_url"
  | "database_unreachable"
  | "database_in_use"
  | "bad_home"
  | "migration_failed";

/** An error a user can cause or fix (wrong URL, database down, unwritable data dir, failed migration). */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}
