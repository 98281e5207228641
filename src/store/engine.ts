import { type Kysely, SqliteAdapter } from "kysely";

/** The database engines the store runs on. */
export type StoreEngine = "sqlite" | "postgres";

/** Which engine a Kysely instance (or a transaction of one) talks to. */
export function engineOf(db: Kysely<unknown>): StoreEngine {
  return db.getExecutor().adapter instanceof SqliteAdapter ? "sqlite" : "postgres";
}
