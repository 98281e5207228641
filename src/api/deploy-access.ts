import type { Environment } from "../store/index.js";
import type { Principal } from "./auth/principal.js";
import { authorize, isAllowed } from "./rbac/index.js";

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

/**
 * Whether a deploy asked for by `me` must wait for a deployer's approval: in an environment that
 * requires approval, a developer may ask, and a deployer (or admin) there approves. A deployer's
 * own deploy starts at once. Throws 403 for those who may not even ask.
 */
export function deployNeedsApproval(
  me: Principal,
  environment: Pick<Environment, "name" | "approval_required">,
): boolean {
  if (environment.approval_required !== 1) {
    authorize(me.bindings, "deploy", environment.name);
    return false;
  }
  if (isAllowed(me.bindings, "promote", environment.name)) {
    return false;
  }
  authorize(me.bindings, "deploy", environment.name);
  return true;
}
