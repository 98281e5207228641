import type { RolloutStep } from "./rolling-plan.js";

/** One step of `deploy.canary.steps`: a share of traffic, held for a while. */
export interface CanaryStepSpec {
  weight: number;
  /** Milliseconds. */
  pause: number;
}

export interface CanaryPlanInput {
  /** Ids of the replicas of the release being replaced, all ready and in rotation. */
  oldReplicas: string[];
  /** How many replicas of the new release to end with. */
  desired: number;
  steps: CanaryStepSpec[];
  drainTimeoutMs: number;
  stopGraceMs: number;
}

export interface CanaryPlan {
  strategy: "canary";
  steps: RolloutStep[];
}

/**
 * A canary rollout as data, as Argo Rollouts runs one with traffic routing: at each step the new
 * release runs on the share of replicas its weight calls for (at least one), gets that share of
 * requests from the router, and is watched for the step's pause. The old replicas keep running
 * at full strength throughout, so backing out is only taking the new ones away. After the last
 * step the new release is brought to full strength, takes all traffic, and the old replicas
 * drain and stop.
 */
export function planCanary(input: CanaryPlanInput): CanaryPlan {
  const desired = Math.max(1, input.desired);
  const steps: RolloutStep[] = [];
  let started = 0;
  const grow = (count: number): number[] => {
    const slots = Array.from({ length: Math.max(0, count - started) }, (_, i) => started + i);
    if (slots.length > 0) {
      steps.push({ kind: "start", slots }, { kind: "await-ready", slots });
      started = count;
    }
    return slots;
  };
  for (const step of input.steps) {
    const slots = grow(Math.min(desired, Math.max(1, Math.ceil((desired * step.weight) / 100))));
    steps.push(
      { kind: "shift", slots, weight: step.weight },
      { kind: "pause", ms: step.pause, weight: step.weight },
    );
  }
  steps.push({ kind: "shift", slots: grow(desired), weight: 100 });
  const old = input.oldReplicas;
  if (old.length > 0) {
    steps.push(
      { kind: "route-out", replicas: old },
      { kind: "drain", replicas: old, timeoutMs: input.drainTimeoutMs },
      { kind: "stop", replicas: old, graceMs: input.stopGraceMs },
    );
  }
  return { strategy: "canary", steps };
}
