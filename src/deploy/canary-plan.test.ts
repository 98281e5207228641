import { describe, expect, it } from "vitest";
import { planCanary } from "./canary-plan.js";

describe("planCanary", () => {
  it("grows the new release with its share of traffic, then promotes it and retires the old", () => {
    const plan = planCanary({
      oldReplicas: ["old-a", "old-b", "old-c", "old-d"],
      desired: 4,
      steps: [
        { weight: 10, pause: 60_000 },
        { weight: 50, pause: 120_000 },
      ],
      drainTimeoutMs: 30_000,
      stopGraceMs: 10_000,
    });
    expect(plan.steps).toEqual([
      // 10% of 4 replicas: one canary.
      { kind: "start", slots: [0] },
      { kind: "await-ready", slots: [0] },
      { kind: "shift", slots: [0], weight: 10 },
      { kind: "pause", ms: 60_000, weight: 10 },
      // 50%: two.
      { kind: "start", slots: [1] },
      { kind: "await-ready", slots: [1] },
      { kind: "shift", slots: [1], weight: 50 },
      { kind: "pause", ms: 120_000, weight: 50 },
      // Promotion: full strength, all traffic, then the old ones go.
      { kind: "start", slots: [2, 3] },
      { kind: "await-ready", slots: [2, 3] },
      { kind: "shift", slots: [2, 3], weight: 100 },
      { kind: "route-out", replicas: ["old-a", "old-b", "old-c", "old-d"] },
      { kind: "drain", replicas: ["old-a", "old-b", "old-c", "old-d"], timeoutMs: 30_000 },
      { kind: "stop", replicas: ["old-a", "old-b", "old-c", "old-d"], graceMs: 10_000 },
    ]);
  });

  it("runs one replica for a one-replica service at every step", () => {
    const plan = planCanary({
      oldReplicas: ["old"],
      desired: 1,
      steps: [
        { weight: 20, pause: 1000 },
        { weight: 60, pause: 1000 },
      ],
      drainTimeoutMs: 0,
      stopGraceMs: 0,
    });
    expect(plan.steps.map((step) => step.kind)).toEqual([
      "start",
      "await-ready",
      "shift",
      "pause",
      "shift",
      "pause",
      "shift",
      "route-out",
      "drain",
      "stop",
    ]);
    expect(plan.steps.filter((step) => step.kind === "start")).toEqual([{ kind: "start", slots: [0] }]);
  });
});
