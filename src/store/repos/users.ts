import type { Kysely } from "kysely";
import { newId, nowIso } from "../ids.js";
import type { Database, RoleBinding, User } from "../schema.js";

/** A user with the roles bound to them, as the API shows it. */
export interface UserWithRoles extends User {
  roles: RoleBinding[];
}

export async function findUserByName(db: Kysely<Database>, name: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("name", "=", name).executeTakeFirst();
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function createUser(db: Kysely<Database>, name: string): Promise<User> {
  const user: User = { id: newId("usr"), name, created_at: nowIso(), disabled: 0 };
  await db.insertInto("users").values(user).execute();
  return user;
}

export async function countUsers(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listUsersWithRoles(db: Kysely<Database>): Promise<UserWithRoles[]> {
  const users = await db.selectFrom("users").selectAll().orderBy("name").execute();
  const bindings = await db.selectFrom("role_bindings").selectAll().orderBy("environment").execute();
  return users.map((user) => ({ ...user, roles: bindings.filter((b) => b.user_id === user.id) }));
}
