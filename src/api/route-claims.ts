import { defaultHost } from "../deploy/index.js";
import { effectiveSpec, locateField, type ServiceSpec } from "../spec/index.js";
import type { FieldProblem } from "./problem.js";
import { HttpProblem } from "./problem.js";

/** One host and path prefix a service's environment asks the router for. */
export interface RouteClaim {
  host: string;
  path: string;
  service: string;
  environment: string;
  /** Where in slipway.yaml the claim comes from, for the error. */
  field: string;
}

/** Every (host, path) a spec claims, per environment: its routes, and its own host on `/`. */
export function routeClaims(spec: ServiceSpec): RouteClaim[] {
  const claims: RouteClaim[] = [];
  for (const environment of spec.environments) {
    const effective = effectiveSpec(spec, environment.name);
    const own = defaultHost(spec.service, environment.name);
    const prefix = environment.overrides.routes === undefined ? "" : `environments.${environment.name}.`;
    const routes = effective?.routes ?? [];
    routes.forEach((route, index) => {
      claims.push({
        host: (route.host ?? own).toLowerCase(),
        path: normalisePath(route.path),
        service: spec.service,
        environment: environment.name,
        field: `${prefix}routes[${index}]${route.host === undefined ? ".path" : ".host"}`,
      });
    });
    if (!claims.some((c) => c.environment === environment.name && c.host === own && c.path === "/")) {
      claims.push({
        host: own,
        path: "/",
        service: spec.service,
        environment: environment.name,
        field: "service",
      });
    }
  }
  return claims;
}

/**
 * Refuses a spec that claims a host and path another service already claims: the router would
 * send all of it to whichever came first and the other would never see a request (ingress-nginx's
 * admission check refuses the same).
 */
export function refuseClaimedRoutes(
  spec: ServiceSpec,
  others: readonly ServiceSpec[],
  /** The slipway.yaml as written: each conflict then names its line and column. */
  source?: string,
): void {
  const taken = new Map<string, RouteClaim>();
  for (const other of others) {
    if (other.service === spec.service) {
      continue;
    }
    for (const claim of routeClaims(other)) {
      const key = `${claim.host} ${claim.path}`;
      if (!taken.has(key)) {
        taken.set(key, claim);
      }
    }
  }
  const errors: FieldProblem[] = [];
  for (const claim of routeClaims(spec)) {
    const holder = taken.get(`${claim.host} ${claim.path}`);
    if (holder !== undefined && !errors.some((e) => e.field === claim.field)) {
      const at = source === undefined ? undefined : locateField(source, claim.field);
      errors.push({
        ...(at ?? {}),
        field: claim.field,
        message: `host ${claim.host} path ${claim.path} (environment ${claim.environment}) is already routed to service ${holder.service} (environment ${holder.environment})`,
        hint: "pick another host or path, or remove the route from the other service first",
      });
    }
  }
  const [first] = errors;
  if (first !== undefined) {
    throw new HttpProblem(409, "route-conflict", `${capitalise(first.message)}.`, { errors });
  }
}

/** As the router compares prefixes: `/api/` and `api` are `/api`. */
function normalisePath(path: string): string {
  return `/${path.replace(/^\/+|\/+$/g, "")}`;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
