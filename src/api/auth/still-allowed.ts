import type { FastifyRequest } from "fastify";
import type { Store } from "../../store/index.js";
import { HttpProblem } from "../problem.js";
import { authorize, type Permission } from "../rbac/index.js";
import { bearerToken, resolvePrincipal } from "./authenticate.js";

/**
 * For a stream that stays open for hours: checks its request again, as if it were made now, so a
 * revoked or expired token, a disabled user or a removed role ends it instead of reading on.
 */
export function stillAllowed(
  store: Store,
  request: FastifyRequest,
  permission: Permission,
): () => Promise<void> {
  return async () => {
    const token = bearerToken(request.headers.authorization);
    if (token === undefined) {
      throw new HttpProblem(401, "unauthenticated", "This stream needs a bearer token.");
    }
    const principal = await resolvePrincipal(store, token, new Date());
    authorize(principal.bindings, permission);
  };
}
