import type { Kysely } from "kysely";
import { newId, nowIso } from "../ids.js";
import type { Database, RoleBinding } from "../schema.js";
import { inTransaction } from "./in-transaction.js";

export async function listRoleBindings(db: Kysely<Database>, userId: string): Promise<RoleBinding[]> {
  return db.selectFrom("role_bindings").selectAll().where("user_id", "=", userId).execute();
}

/** Binds `role` to the user in `environment` (or `*`), replacing the role bound there before. */
export async function bindRole(
  db: Kysely<Database>,
  userId: string,
  role: string,
  environment: string,
): Promise<RoleBinding> {
  return inTransaction(db, async (tx) => {
    await tx
      .deleteFrom("role_bindings")
      .where("user_id", "=", userId)
      .where("environment", "=", environment)
      .execute();
    const binding: RoleBinding = {
      id: newId("rb"),
      user_id: userId,
      role,
      environment,
      created_at: nowIso(),
    };
    await tx.insertInto("role_bindings").values(binding).execute();
    return binding;
  });
}

/** Removes the user's role in `environment`; false when there was none. */
export async function unbindRole(
  db: Kysely<Database>,
  userId: string,
  environment: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom("role_bindings")
    .where("user_id", "=", userId)
    .where("environment", "=", environment)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
