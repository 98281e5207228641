import { describe, expect, it } from "vitest";
import { planRollingUpdate, type RolloutStep, resolveBudget } from "./rolling-plan.js";

const base = { drainTimeoutMs: 30_000, stopGraceMs: 10_000 };

/** The plan as a compact script: "+0,1" start+ready+route-in slots, "-a" route-out+drain+stop. */
function script(steps: RolloutStep[]): string[] {
  const out: string[] = [];
  for (const step of steps) {
    if (step.kind === "start") {
      out.push(`+${step.slots.join(",")}`);
    } else if (step.kind === "stop") {
      out.push(`-${step.replicas.join(",")}`);
    }
  }
  return out;
}

describe("planRollingUpdate", () => {
  it("first deploy: starts every replica in one batch when the surge allows it", () => {
    const plan = planRollingUpdate({ ...base, oldReplicas: [], desired: 2, maxSurge: 1, maxUnavailable: 0 });
    expect(plan.steps).toEqual([
      { kind: "start", slots: [0, 1] },
      { kind: "await-ready", slots: [0, 1] },
      { kind: "route-in", slots: [0, 1] },
    ]);
  });

  it("zero-downtime default (surge 1, unavailable 0): one new in, one old out, never fewer than desired", () => {
    const plan = planRollingUpdate({
      ...base,
      oldReplicas: ["a", "b"],
      desired: 2,
      maxSurge: 1,
      maxUnavailable: 0,
    });
    expect(script(plan.steps)).toEqual(["+0", "-a", "+1", "-b"]);
    // Every old replica leaves rotation, drains, then stops, in that order.
    const forA = plan.steps.filter((s) => "replicas" in s && s.replicas.includes("a")).map((s) => s.kind);
    expect(forA).toEqual(["route-out", "drain", "stop"]);
  });

  it("surge 2 replaces two at a time", () => {
    const plan = planRollingUpdate({
      ...base,
      oldReplicas: ["a", "b", "c", "d"],
      desired: 4,
      maxSurge: 2,
      maxUnavailable: 0,
    });
    expect(script(plan.steps)).toEqual(["+0,1", "-a,b", "+2,3", "-c,d"]);
  });

  it("surge 0 with unavailable 1 stops one first, then replaces", () => {
    const plan = planRollingUpdate({
      ...base,
      oldReplicas: ["a", "b"],
      desired: 2,
      maxSurge: 0,
      maxUnavailable: 1,
    });
    expect(script(plan.steps)).toEqual(["-a", "+0", "-b", "+1"]);
  });

  it("percentages round like Kubernetes: surge up, unavailable down", () => {
    expect(resolveBudget("25%", 3, "up")).toBe(1);
    expect(resolveBudget("25%", 3, "down")).toBe(0);
    expect(resolveBudget("50%", 4, "down")).toBe(2);
    const plan = planRollingUpdate({
      ...base,
      oldReplicas: ["a", "b", "c"],
      desired: 3,
      maxSurge: "25%",
      maxUnavailable: "25%",
    });
    expect(plan).toMatchObject({ surge: 1, unavailable: 0 });
  });

  it("both budgets zero still makes progress with one extra replica", () => {
    const plan = planRollingUpdate({
      ...base,
      oldReplicas: ["a"],
      desired: 1,
      maxSurge: 0,
      maxUnavailable: 0,
    });
    expect(script(plan.steps)).toEqual(["+0", "-a"]);
  });

  it("scaling down to zero stops everything; scaling up starts up to desired + surge at once and keeps the old one until they are ready", () => {
    expect(
      script(
        planRollingUpdate({ ...base, oldReplicas: ["a", "b"], desired: 0, maxSurge: 1, maxUnavailable: 0 })
          .steps,
      ),
    ).toEqual(["-a,b"]);
    expect(
      script(
        planRollingUpdate({ ...base, oldReplicas: ["a"], desired: 3, maxSurge: 1, maxUnavailable: 0 }).steps,
      ),
    ).toEqual(["+0,1,2", "-a"]);
  });

  it("never lets ready replicas drop below desired - maxUnavailable", () => {
    for (const [desired, surge, unavailable] of [
      [3, 1, 0],
      [5, 2, 1],
      [4, 0, 2],
      [1, 3, 0],
    ] as const) {
      const old = ["a", "b", "c", "d"].slice(0, desired);
      const plan = planRollingUpdate({
        ...base,
        oldReplicas: old,
        desired,
        maxSurge: surge,
        maxUnavailable: unavailable,
      });
      let ready = old.length;
      let running = old.length;
      for (const step of plan.steps) {
        if (step.kind === "start") {
          running += step.slots.length;
        } else if (step.kind === "route-in") {
          ready += step.slots.length;
        } else if (step.kind === "route-out") {
          ready -= step.replicas.length;
        } else if (step.kind === "stop") {
          running -= step.replicas.length;
        }
        expect(ready).toBeGreaterThanOrEqual(Math.min(old.length, desired - unavailable));
        expect(running).toBeLessThanOrEqual(Math.max(old.length, desired) + Math.max(surge, 1));
      }
      expect(ready).toBe(desired);
    }
  });
});
