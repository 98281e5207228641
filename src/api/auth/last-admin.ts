import type { Kysely } from "kysely";
import type { Database, Token } from "../../store/index.js";
import { HttpProblem } from "../problem.js";
import { allEnvironments, type Role } from "../rbac/index.js";

/**
 * Guards against locking everyone out: only an admin of every environment (`*`) can manage users
 * and tokens, so the last such admin, and the last live token of one, cannot be removed through
 * the API. (`slipway admin-token` on the platform's machine is the way back if it happens anyway,
 * e.g. when the last admin token expires.)
 */

async function globalAdminIds(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db
    .selectFrom("role_bindings")
    .select("user_id")
    .where("role", "=", "admin")
    .where("environment", "=", allEnvironments)
    .execute();
  return new Set(rows.map((row) => row.user_id));
}

/**
 * Refuses to unbind (newRole undefined) or downgrade the `*` admin role of the only user who holds
 * it. Bindings in a single environment never lock anyone out and pass.
 */
export async function refuseLosingLastAdmin(
  db: Kysely<Database>,
  user: { id: string; name: string },
  environment: string,
  newRole?: Role,
): Promise<void> {
  if (environment !== allEnvironments || newRole === "admin") {
    return;
  }
  const admins = await globalAdminIds(db);
  if (!admins.has(user.id)) {
    return;
  }
  // Another admin counts only if they can log in: an admin without a live token is no way back.
  admins.delete(user.id);
  const others = admins.size === 0 ? [] : await liveTokensOf(db, [...admins], undefined);
  if (others.length === 0) {
    throw new HttpProblem(
      409,
      "last-admin",
      `${user.name} is the only admin of every environment ("*") who can log in: without that role no one could manage users or tokens. Bind admin in "*" to another user who has a live token first (PUT /api/v1/users/NAME/roles/*, then POST /api/v1/tokens with "user").`,
    );
  }
}

/** Up to one live (unrevoked, unexpired) token of these users, other than `except`. */
async function liveTokensOf(db: Kysely<Database>, userIds: string[], except: string | undefined) {
  const now = new Date().toISOString();
  let query = db
    .selectFrom("tokens")
    .select("id")
    .where("user_id", "in", userIds)
    .where("revoked_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", now)]));
  if (except !== undefined) {
    query = query.where("id", "!=", except);
  }
  return query.limit(1).execute();
}

function isLive(token: Token, now: string): boolean {
  return token.revoked_at === null && (token.expires_at === null || token.expires_at > now);
}

/**
 * Refuses to revoke the last live token held by any admin of every environment. Revoking a token
 * that is already revoked or expired changes nothing and passes.
 */
export async function refuseRevokingLastAdminToken(db: Kysely<Database>, token: Token): Promise<void> {
  const now = new Date().toISOString();
  if (!isLive(token, now)) {
    return;
  }
  const admins = await globalAdminIds(db);
  if (!admins.has(token.user_id)) {
    return;
  }
  const others = await liveTokensOf(db, [...admins], token.id);
  if (others.length === 0) {
    throw new HttpProblem(
      409,
      "last-admin-token",
      `Token "${token.name}" (${token.prefix}…) is the last live token of an admin of every environment: revoking it would lock everyone out of managing users and tokens. Create another first (slipway tokens create NAME), then revoke this one.`,
    );
  }
}
