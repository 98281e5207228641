import type { BalancingPolicy } from "./types.js";

/** What a selection policy reads from a replica. */
export interface Balanceable {
  /** Requests in flight on it right now. */
  readonly outstanding: number;
  /** Epoch ms until which it is passed over because it refused a connection (0: never). */
  readonly ejectedUntil?: number;
}

/** A route's replicas plus the rotating start position both policies use. */
export interface Rotation<T extends Balanceable> {
  readonly members: readonly T[];
  cursor: number;
}

/** Picks one replica, never `excluded` (the one a retry is moving away from). */
export type SelectionPolicy = <T extends Balanceable>(rotation: Rotation<T>, excluded?: T) => T | undefined;

type Pick = <T extends Balanceable>(rotation: Rotation<T>, eligible: (member: T) => boolean) => T | undefined;

/**
 * Replicas that recently refused a connection are passed over (Envoy's outlier ejection), unless
 * every replica is: then all are tried again rather than failing outright (Envoy's panic mode).
 */
function withEjection(pick: Pick): SelectionPolicy {
  return (rotation, excluded) => {
    const now = Date.now();
    return (
      pick(rotation, (m) => m !== excluded && (m.ejectedUntil ?? 0) <= now) ??
      pick(rotation, (m) => m !== excluded)
    );
  };
}

/**
 * Counts requests rather than connections, like Caddy's `least_conn` and Envoy's
 * LEAST_REQUEST: the least busy replica wins, and the scan starts at a rotating position so
 * equally idle replicas take turns instead of the first one taking everything.
 */
export const leastOutstanding: SelectionPolicy = withEjection((rotation, eligible) => {
  const { members } = rotation;
  const start = advance(rotation);
  let best: (typeof members)[number] | undefined;
  for (let step = 0; step < members.length; step++) {
    const member = members[(start + step) % members.length];
    if (
      member !== undefined &&
      eligible(member) &&
      (best === undefined || member.outstanding < best.outstanding)
    ) {
      best = member;
    }
  }
  return best;
});

/** Each replica in turn, regardless of how busy it is. */
export const roundRobin: SelectionPolicy = withEjection((rotation, eligible) => {
  const { members } = rotation;
  const start = advance(rotation);
  for (let step = 0; step < members.length; step++) {
    const member = members[(start + step) % members.length];
    if (member !== undefined && eligible(member)) {
      return member;
    }
  }
  return undefined;
});

/** The policies by the name `RouterOptions.balancing` uses. */
export const selectionPolicies: Record<BalancingPolicy, SelectionPolicy> = {
  "least-outstanding": leastOutstanding,
  "round-robin": roundRobin,
};

function advance<T extends Balanceable>(rotation: Rotation<T>): number {
  const start = rotation.members.length === 0 ? 0 : rotation.cursor % rotation.members.length;
  rotation.cursor = start + 1;
  return start;
}
