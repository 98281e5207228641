import type { Store } from "../../store/index.js";
import {
  appendEvent,
  bindRole,
  countUsers,
  createUser,
  findUserByName,
  issueToken,
  listRoleBindings,
  recordAudit,
} from "../../store/index.js";
import { allEnvironments } from "../rbac/index.js";
import { bootstrapAdminName } from "./bootstrap-admin.js";

export interface RecoveryToken {
  token: string;
  id: string;
  name: string;
  prefix: string;
  user: string;
  /** True when the `admin` user had lost its admin role in every environment and got it back. */
  roleRestored: boolean;
}

/**
 * Issues a new token for the `admin` user, bound admin in every environment, straight into the
 * store: the way back in when every admin token is lost, expired or revoked. Whoever can read
 * the data directory (or the database) already holds everything, so this asks for nothing more,
 * like `grafana cli admin reset-admin-password`. Returns null on a store Slipway has never started
 * on: there `slipway up` creates the first admin itself.
 */
export async function issueRecoveryToken(
  store: Store,
  input: { name: string; actor: string },
): Promise<RecoveryToken | null> {
  if ((await countUsers(store.db)) === 0) {
    return null;
  }
  const issued = await store.db.transaction().execute(async (tx) => {
    const user = (await findUserByName(tx, bootstrapAdminName)) ?? (await createUser(tx, bootstrapAdminName));
    const bindings = await listRoleBindings(tx, user.id);
    const roleRestored = !bindings.some((b) => b.role === "admin" && b.environment === allEnvironments);
    if (roleRestored) {
      await bindRole(tx, user.id, "admin", allEnvironments);
    }
    const { token, record } = await issueToken(tx, { userId: user.id, name: input.name, expiresAt: null });
    return { token, record, roleRestored };
  });
  const { token, record, roleRestored } = issued;
  await appendEvent(store.db, {
    kind: "token.created",
    message: `Admin token "${record.name}" (${record.prefix}…) issued from the data directory by ${input.actor}${roleRestored ? "; admin bound in every environment again" : ""}`,
    actor: input.actor,
    data: { tokenId: record.id, user: bootstrapAdminName, expiresAt: null, recovery: true },
  });
  await recordAudit(store.db, {
    actor: input.actor,
    action: "slipway admin-token",
    target: `/api/v1/users/${bootstrapAdminName}`,
    ip: null,
    requestId: null,
    status: 201,
  });
  return {
    token,
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    user: bootstrapAdminName,
    roleRestored,
  };
}
