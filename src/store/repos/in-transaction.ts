import type { Kysely } from "kysely";
import type { Database } from "../schema.js";

/** Runs `work` in a transaction, joining the caller's when there already is one (Kysely does not nest). */
export async function inTransaction<T>(
  db: Kysely<Database>,
  work: (tx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  if (db.isTransaction) {
    return work(db);
  }
  return db.transaction().execute(work);
}
