import type { Store } from "../../store/index.js";
import { bindRole, countUsers, createUser, issueToken } from "../../store/index.js";

export const bootstrapAdminName = "admin";

/**
 * On the very first start, creates the `admin` user bound as admin everywhere and returns its
 * token, which is shown once and stored only as a hash. Later starts return null.
 */
export async function bootstrapAdmin(store: Store): Promise<string | null> {
  if ((await countUsers(store.db)) > 0) {
    return null;
  }
  try {
    return await store.db.transaction().execute(async (tx) => {
      const user = await createUser(tx, bootstrapAdminName);
      await bindRole(tx, user.id, "admin", "*");
      const { token } = await issueToken(tx, { userId: user.id, name: "bootstrap", expiresAt: null });
      return token;
    });
  } catch (error) {
    // Another Slipway process sharing this database won the race and created the admin.
    if ((await countUsers(store.db)) > 0) {
      return null;
    }
    throw error;
  }
}
