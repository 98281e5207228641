import type { Environment } from "../store/index.js";
import type { Principal } from "./auth/principal.js";
import { authorize } from "./rbac/index.js";

/**
 * Deploying into an environment needs `developer` there; into one that requires approval
 * (production) it is a promotion and needs `deployer`.
 */
export function authorizeDeploy(
  me: Principal,
  environment: Pick<Environment, "name" | "approval_required">,
): void {
  authorize(me.bindings, environment.approval_required === 1 ? "promote" : "deploy", environment.name);
}
