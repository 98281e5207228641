import type { Role } from "./roles.js";

/**
 * Every permission the API checks, with the least role that holds it. Environment-scoped
 * actions are checked against the role bound in that environment (or `*`).
 */
export const permissions = {
  /** Read services, status, events, secret names. Any bound role. */
  read: "viewer",
  /** Create or change a service's spec (it reaches every environment). */
  "service.apply": "developer",
  "service.delete": "admin",
  /** Set or remove a secret in an environment without approval. */
  "secret.write": "developer",
  /** Set or remove a secret in an environment that requires approval, or in every environment. */
  "secret.write.protected": "deployer",
  /** Deploy to an environment without approval. */
  deploy: "developer",
  /** Promote into an environment that requires approval (production). */
  promote: "deployer",
  "user.manage": "admin",
  "audit.read": "admin",
  /** See or revoke other users' tokens, or issue tokens for them. */
  "token.manage-any": "admin",
  /** Stop the platform and every replica. */
  "platform.manage": "admin",
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof permissions;
