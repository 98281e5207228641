/**
 * A rolling update computed as plain data before anything runs (STYLE.md: plans as data).
 * The executor walks the steps; tests assert on the exact plan.
 */

/** `maxSurge` / `maxUnavailable` as the spec gives them: a count or a percentage like "25%". */
export type RolloutBudget = number | `${number}%`;

export interface RollingPlanInput {
  /** Ids of the replicas of the release being replaced, all ready and in rotation. */
  oldReplicas: string[];
  /** How many replicas of the new release to end with. */
  desired: number;
  maxSurge: RolloutBudget;
  maxUnavailable: RolloutBudget;
  drainTimeoutMs: number;
  /** How long stopped replicas get between SIGTERM and SIGKILL. */
  stopGraceMs: number;
}

export type RolloutStep =
  | { kind: "start"; slots: number[] }
  | { kind: "await-ready"; slots: number[] }
  | { kind: "route-in"; slots: number[] }
  | { kind: "route-out"; replicas: string[] }
  | { kind: "drain"; replicas: string[]; timeoutMs: number }
  | { kind: "stop"; replicas: string[]; graceMs: number }
  /** Canary: `slots` join the rotation and the new release gets `weight` percent of requests. */
  | { kind: "shift"; slots: number[]; weight: number }
  /** Canary: traffic stays as it is for `ms` while the new replicas are watched. */
  | { kind: "pause"; ms: number; weight: number };

export interface RollingPlan {
  surge: number;
  unavailable: number;
  steps: RolloutStep[];
}

/** Resolves a budget against the desired count the way Kubernetes does: surge rounds up, unavailable down. */
export function resolveBudget(budget: RolloutBudget, desired: number, round: "up" | "down"): number {
  if (typeof budget === "number") {
    return Math.max(0, Math.floor(budget));
  }
  const percent = Number.parseFloat(budget);
  const exact = (desired * percent) / 100;
  return Math.max(0, round === "up" ? Math.ceil(exact) : Math.floor(exact));
}

function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

/**
 * New replicas are started in batches no larger than the surge allows, and old ones leave only
 * once enough new ones are ready that availability never drops below `desired - maxUnavailable`.
 * New replicas are numbered slots (0…desired-1); the executor gives them ids when it starts them.
 */
export function planRollingUpdate(input: RollingPlanInput): RollingPlan {
  const desired = Math.max(0, input.desired);
  let surge = resolveBudget(input.maxSurge, desired, "up");
  const unavailable = resolveBudget(input.maxUnavailable, desired, "down");
  // Both zero could never make progress; Kubernetes rejects it, we fall back to one extra replica.
  if (surge === 0 && unavailable === 0) {
    surge = 1;
  }
  const steps: RolloutStep[] = [];
  const old = [...input.oldReplicas];
  let started = 0;
  // Replicas that must stay ready throughout: Kubernetes' desired - maxUnavailable.
  const minAvailable = Math.max(0, desired - unavailable);

  while (started < desired || old.length > 0) {
    const canStart = Math.min(desired - started, desired + surge - (old.length + started));
    if (canStart > 0) {
      const slots = range(started, canStart);
      steps.push({ kind: "start", slots }, { kind: "await-ready", slots }, { kind: "route-in", slots });
      started += canStart;
    }
    // Old replicas may go while the ready ones left (old + started new) stay at or above the floor.
    const canStop = Math.min(old.length, old.length + started - minAvailable);
    if (canStop > 0) {
      const leaving = old.splice(0, canStop);
      steps.push(
        { kind: "route-out", replicas: leaving },
        { kind: "drain", replicas: leaving, timeoutMs: input.drainTimeoutMs },
        { kind: "stop", replicas: leaving, graceMs: input.stopGraceMs },
      );
    }
    if (canStart <= 0 && canStop <= 0) {
      throw new Error(
        `rolling plan cannot progress (desired ${desired}, surge ${surge}, unavailable ${unavailable})`,
      );
    }
  }
  return { surge, unavailable, steps };
}
