import type { RouteEntry, Upstream } from "../router/index.js";
import type { ServiceSpec } from "../spec/index.js";

/** One environment of one service as the router should see it. */
export interface RoutedEnvironment {
  service: string;
  environment: string;
  /** The effective spec of the live release in this environment (its `routes`). */
  spec: ServiceSpec | undefined;
  /** Ready replicas in rotation. */
  upstreams: Upstream[];
  /** Scaled to 0 replicas: still routed, so its hosts answer 503 saying so rather than 404. */
  scaledToZero?: boolean;
  /** A canary in progress: its release's share of requests. */
  canary?: { release: string; weight: number };
}

/** Every environment answers on this host even without routes: `hello-api.staging.localhost`. */
export function defaultHost(service: string, environment: string): string {
  return `${service}.${environment}.localhost`;
}

/**
 * The router's table, computed as data: one entry per declared route (host or the default host,
 * and path prefix), plus the default host on `/` unless a route already claims it. Workers get none.
 */
export function buildRouteTable(environments: RoutedEnvironment[]): RouteEntry[] {
  const entries: RouteEntry[] = [];
  for (const env of environments) {
    if (env.spec?.kind === "worker") {
      // No host at all: a request for one answers the router's "no service here" 404.
      continue;
    }
    const fallback = defaultHost(env.service, env.environment);
    const byPrefix = new Map<string, Set<string>>();
    for (const route of env.spec?.routes ?? []) {
      const hosts = byPrefix.get(route.path) ?? new Set<string>();
      hosts.add(route.host ?? fallback);
      byPrefix.set(route.path, hosts);
    }
    const root = byPrefix.get("/") ?? new Set<string>();
    root.add(fallback);
    byPrefix.set("/", root);
    for (const [pathPrefix, hosts] of byPrefix) {
      entries.push({
        service: env.service,
        environment: env.environment,
        hosts: [...hosts].sort(),
        pathPrefix,
        upstreams: env.upstreams,
        ...(env.scaledToZero ? { scaledToZero: true } : {}),
        ...(env.canary ? { canary: env.canary } : {}),
      });
    }
  }
  return entries;
}
