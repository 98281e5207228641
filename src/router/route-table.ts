/** What the table needs to know about a route; the router hangs its own state on `T`. */
export interface RoutablePattern {
  hosts: string[];
  pathPrefix: string;
}

/** Two routes claiming the same host and path prefix: the first one listed keeps it. */
export interface RouteConflict {
  host: string;
  pathPrefix: string;
}

interface Candidate<T> {
  prefix: string;
  route: T;
}

/**
 * Host + path-prefix lookup, built once per `setRoutes` so a request costs two map lookups and a
 * few prefix comparisons. Longest prefix wins; on equal prefixes an exact host beats a wildcard.
 */
export class RouteTable<T extends RoutablePattern> {
  readonly conflicts: RouteConflict[] = [];
  private readonly exact = new Map<string, Candidate<T>[]>();
  // Keyed by the suffix after the wildcard label: `*.example.com` → `.example.com`.
  private readonly wildcard = new Map<string, Candidate<T>[]>();

  constructor(routes: readonly T[]) {
    for (const route of routes) {
      const prefix = normalisePathPrefix(route.pathPrefix);
      for (const pattern of route.hosts) {
        this.add(pattern.toLowerCase().replace(/\.$/, ""), prefix, route);
      }
    }
    for (const candidates of [...this.exact.values(), ...this.wildcard.values()]) {
      candidates.sort((a, b) => b.prefix.length - a.prefix.length);
    }
  }

  /** The route for a normalised host and a path, or undefined (a 404). */
  match(host: string, path: string): T | undefined {
    const exact = longestPrefixMatch(this.exact.get(host), path);
    const dot = host.indexOf(".");
    const wildcard = dot > 0 ? longestPrefixMatch(this.wildcard.get(host.slice(dot)), path) : undefined;
    if (wildcard === undefined || (exact !== undefined && exact.prefix.length >= wildcard.prefix.length)) {
      return exact?.route;
    }
    return wildcard.route;
  }

  private add(pattern: string, prefix: string, route: T): void {
    const isWildcard = pattern.startsWith("*.");
    const map = isWildcard ? this.wildcard : this.exact;
    const key = isWildcard ? pattern.slice(1) : pattern;
    const candidates = map.get(key) ?? [];
    const taken = candidates.find((candidate) => candidate.prefix === prefix);
    if (taken !== undefined) {
      if (taken.route !== route) {
        this.conflicts.push({ host: pattern, pathPrefix: prefix });
      }
      return;
    }
    candidates.push({ prefix, route });
    map.set(key, candidates);
  }
}

/** `api/` → `/api`, `/` stays `/`: prefixes compare as whole path segments. */
export function normalisePathPrefix(prefix: string): string {
  return `/${prefix.replace(/^\/+|\/+$/g, "")}`;
}

/** `/api` matches `/api` and `/api/x`, not `/apix`. */
export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === "/") {
    return true;
  }
  return path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === "/");
}

function longestPrefixMatch<T>(
  candidates: Candidate<T>[] | undefined,
  path: string,
): Candidate<T> | undefined {
  // Sorted longest first, so the first hit is the best one.
  return candidates?.find((candidate) => pathHasPrefix(path, candidate.prefix));
}
