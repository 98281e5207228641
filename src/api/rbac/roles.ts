/** Roles from least to most powerful; each includes everything the ones before it may do. */
export const roles = ["viewer", "developer", "deployer", "admin"] as const;
export type Role = (typeof roles)[number];

/** `*` binds a role in every environment. */
export const allEnvironments = "*";

export function isRole(value: string): value is Role {
  return (roles as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return roles.indexOf(role);
}

export function atLeast(role: Role | null, required: Role): boolean {
  return role !== null && roleRank(role) >= roleRank(required);
}

export interface Binding {
  role: string;
  environment: string;
}

/**
 * The strongest role a user holds for `environment`: a binding in that environment or in `*`.
 * With no environment (service-wide actions), only `*` bindings count, because the action
 * reaches every environment.
 */
export function effectiveRole(bindings: readonly Binding[], environment?: string): Role | null {
  let best: Role | null = null;
  for (const binding of bindings) {
    const applies =
      binding.environment === allEnvironments ||
      (environment !== undefined && binding.environment === environment);
    if (applies && isRole(binding.role) && (best === null || roleRank(binding.role) > roleRank(best))) {
      best = binding.role;
    }
  }
  return best;
}

/** The strongest role held anywhere: enough to read, since reading changes nothing. */
export function strongestRole(bindings: readonly Binding[]): Role | null {
  let best: Role | null = null;
  for (const binding of bindings) {
    if (isRole(binding.role) && (best === null || roleRank(binding.role) > roleRank(best))) {
      best = binding.role;
    }
  }
  return best;
}
