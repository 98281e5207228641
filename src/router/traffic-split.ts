import type { Rotation, SelectionPolicy } from "./balancer.js";
import type { UpstreamTarget } from "./upstream-target.js";

/**
 * A canary's share of a route: `weight` percent of requests go to the replicas of one release,
 * the rest to the others. Requests are counted, not drawn at random, so 20% is 20% from the
 * first hundred requests on (Argo Rollouts and Flagger leave it to the mesh's random split).
 */
export interface TrafficSplit {
  readonly canary: Rotation<UpstreamTarget>;
  readonly stable: Rotation<UpstreamTarget>;
  readonly weight: number;
  readonly counts: SplitCounts;
}

/**
 * Requests routed under one split, and how many of them went to the canary. Kept across route
 * table swaps (every readiness change makes a new table): counting from zero at each swap would
 * hand the canary the first request after every one, more than its share.
 */
export interface SplitCounts {
  routed: number;
  toCanary: number;
}

/** The counts of every split in the current table, by route and weight. */
export class SplitCountsByRoute {
  #counts = new Map<string, SplitCounts>();
  #next = new Map<string, SplitCounts>();

  /** The counts for a split of the table being built: those it had in the last one, if any. */
  countsFor(key: string): SplitCounts {
    const counts = this.#next.get(key) ?? this.#counts.get(key) ?? { routed: 0, toCanary: 0 };
    this.#next.set(key, counts);
    return counts;
  }

  /** The new table is in: splits it no longer has are forgotten. */
  swapped(): void {
    this.#counts = this.#next;
    this.#next = new Map();
  }
}

/** What a route offers a policy: its replicas, and a canary split when one is in progress. */
export interface SplitRoute extends Rotation<UpstreamTarget> {
  readonly split: TrafficSplit | undefined;
}

/** Picks a replica of a route, never `excluded`; honours the route's split. */
export type RoutePolicy = (route: SplitRoute, excluded?: UpstreamTarget) => UpstreamTarget | undefined;

/** Builds the split of `members` for a canary of `release` at `weight` percent. */
export function splitTraffic(
  members: readonly UpstreamTarget[],
  canary: { release: string; weight: number } | undefined,
  counts: SplitCounts = { routed: 0, toCanary: 0 },
): TrafficSplit | undefined {
  if (canary === undefined) {
    return undefined;
  }
  return {
    canary: { members: members.filter((m) => m.release === canary.release), cursor: 0 },
    stable: { members: members.filter((m) => m.release !== canary.release), cursor: 0 },
    weight: canary.weight,
    counts,
  };
}

/**
 * Applies a balancing policy within the side of the split a request falls on. A side with no
 * replica to take it (none ready, or only the one a retry moves away from) hands it to the other:
 * a canary that lost its replicas must not turn its share of traffic into errors.
 */
export function splitAware(policy: SelectionPolicy): RoutePolicy {
  return (route, excluded) => {
    const split = route.split;
    if (split === undefined) {
      return policy(route, excluded);
    }
    if (excluded !== undefined) {
      // A retry: another replica of the release that failed, else the other side.
      const side = excluded.release === split.canary.members[0]?.release ? split.canary : split.stable;
      return policy(side, excluded) ?? policy(side === split.canary ? split.stable : split.canary, excluded);
    }
    const { counts } = split;
    const toCanary = counts.toCanary * 100 < split.weight * (counts.routed + 1);
    counts.routed += 1;
    const first = toCanary ? split.canary : split.stable;
    const chosen = policy(first) ?? policy(first === split.canary ? split.stable : split.canary);
    if (chosen !== undefined && split.canary.members.includes(chosen)) {
      counts.toCanary += 1;
    }
    return chosen;
  };
}
