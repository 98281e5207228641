import { HttpProblem } from "../problem.js";
import { type Permission, permissions } from "./permissions.js";
import { atLeast, type Binding, effectiveRole, strongestRole } from "./roles.js";

/**
 * Throws 403 unless the bindings hold `permission` (in `environment` when given).
 * The message names the role needed and where, so the user knows whom to ask.
 */
export function authorize(bindings: readonly Binding[], permission: Permission, environment?: string): void {
  const required = permissions[permission];
  const held = permission === "read" ? strongestRole(bindings) : effectiveRole(bindings, environment);
  if (atLeast(held, required)) {
    return;
  }
  const where = environment === undefined ? "in every environment (*)" : `in environment "${environment}"`;
  const have = held === null ? "no role" : `role "${held}"`;
  throw new HttpProblem(
    403,
    "forbidden",
    `This needs role "${required}" ${where} (${permission}); you have ${have} there. Ask an admin to bind it: slipway users bind NAME ${required} --env ${environment ?? "*"}`,
  );
}

export function isAllowed(
  bindings: readonly Binding[],
  permission: Permission,
  environment?: string,
): boolean {
  try {
    authorize(bindings, permission, environment);
    return true;
  } catch {
    return false;
  }
}
