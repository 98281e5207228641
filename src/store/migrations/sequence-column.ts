import type { ColumnDefinitionBuilder, Kysely } from "kysely";
import { engineOf } from "../engine.js";

/**
 * The auto-numbered `seq` primary key of append-only tables, the one column whose DDL differs by
 * engine: SQLite's AUTOINCREMENT never reuses a number after deletes; PostgreSQL uses an identity.
 */
export function sequenceColumn(
  db: Kysely<unknown>,
): (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  if (engineOf(db) === "sqlite") {
    return (column) => column.primaryKey().autoIncrement();
  }
  return (column) => column.primaryKey().generatedByDefaultAsIdentity();
}
