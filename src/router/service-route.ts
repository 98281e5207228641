import { type RouteConflict, RouteTable } from "./route-table.js";
import { SplitCountsByRoute, type SplitRoute, splitTraffic } from "./traffic-split.js";
import type { RouteEntry } from "./types.js";
import type { UpstreamRegistry } from "./upstream-registry.js";

/** A route entry bound to live upstream targets, with its balancing state. */
export interface ServiceRoute extends SplitRoute {
  readonly service: string;
  readonly environment: string;
  readonly hosts: string[];
  readonly pathPrefix: string;
  readonly scaledToZero: boolean;
}

/** The route table to swap in, plus the conflicts found while building it. */
export interface CompiledRoutes {
  table: RouteTable<ServiceRoute>;
  conflicts: RouteConflict[];
}

/**
 * Builds the lookup table for a new set of routes and registers their replicas, so replicas that
 * are gone stop receiving requests the moment the table is swapped in.
 */
export function compileRoutes(
  entries: readonly RouteEntry[],
  registry: UpstreamRegistry,
  splitCounts: SplitCountsByRoute = new SplitCountsByRoute(),
): CompiledRoutes {
  const targetOf = registry.replace(entries.flatMap((entry) => entry.upstreams));
  const routes = entries.map((entry): ServiceRoute => {
    const members = entry.upstreams.map(targetOf);
    return {
      service: entry.service,
      environment: entry.environment,
      hosts: entry.hosts,
      pathPrefix: entry.pathPrefix,
      scaledToZero: entry.scaledToZero === true,
      members,
      cursor: 0,
      split:
        entry.canary === undefined
          ? undefined
          : splitTraffic(
              members,
              entry.canary,
              splitCounts.countsFor(
                `${entry.service}\n${entry.environment}\n${entry.pathPrefix}\n${entry.canary.release}\n${entry.canary.weight}`,
              ),
            ),
    };
  });
  splitCounts.swapped();
  const table = new RouteTable(routes);
  return { table, conflicts: table.conflicts };
}
