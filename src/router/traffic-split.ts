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
  /** Requests routed, and how many of them went to the canary. */
  routed: number;
  toCanary: number;
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
): TrafficSplit | undefined {
  if (canary === undefined) {
    return undefined;
  }
  return {
    canary: { members: members.filter((m) => m.release === canary.release), cursor: 0 },
    stable: { members: members.filter((m) => m.release !== canary.release), cursor: 0 },
    weight: canary.weight,
    routed: 0,
    toCanary: 0,
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
    const toCanary = split.toCanary * 100 < split.weight * (split.routed + 1);
    split.routed += 1;
    const first = toCanary ? split.canary : split.stable;
    const chosen = policy(first) ?? policy(first === split.canary ? split.stable : split.canary);
    if (chosen !== undefined && split.canary.members.includes(chosen)) {
      split.toCanary += 1;
    }
    return chosen;
  };
}
