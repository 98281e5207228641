import { describe, expect, it } from "vitest";
import { backoffSchedule, KUBERNETES_BACKOFF, planRestart, type RunRecord } from "./restart-policy.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Runs that each last `durations[i]` ms, back to back. */
function runs(...durations: number[]): RunRecord[] {
  let clock = 0;
  return durations.map((duration) => {
    const run = { startedAt: clock, endedAt: clock + duration };
    clock += duration + SECOND;
    return run;
  });
}

describe("restart policy (CrashLoopBackOff)", () => {
  it("doubles from 10 s and caps at 5 min, like Kubernetes", () => {
    expect(backoffSchedule(9).map((ms) => ms / SECOND)).toEqual([10, 20, 40, 80, 160, 300, 300, 300, 300]);
  });

  it("plans the delay from the run history", () => {
    const plans = [1, 2, 3, 4, 5, 6, 7].map((crashes) =>
      planRestart(runs(...Array(crashes).fill(SECOND)), 0),
    );
    expect(plans.map((plan) => plan.delayMs / SECOND)).toEqual([10, 20, 40, 80, 160, 300, 300]);
    expect(plans.map((plan) => plan.crashStreak)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("resets to 10 s after a run of 10 minutes", () => {
    const history = runs(SECOND, SECOND, SECOND, SECOND, 10 * MINUTE);
    expect(planRestart(history, 0)).toMatchObject({ delayMs: 10 * SECOND, crashStreak: 1 });
    expect(planRestart([...history, ...runs(SECOND)], 0)).toMatchObject({
      delayMs: 20 * SECOND,
      crashStreak: 2,
    });
  });

  it("does not reset after a run just under 10 minutes", () => {
    expect(planRestart(runs(SECOND, 10 * MINUTE - 1), 0).delayMs).toBe(20 * SECOND);
  });

  it("gives the restart time and works with injected timings", () => {
    const fast = { initialDelayMs: 50, maxDelayMs: 200, resetAfterMs: 1000 };
    expect(planRestart(runs(10, 10, 10, 10), 5000, fast)).toEqual({
      delayMs: 200,
      restartAt: 5200,
      crashStreak: 4,
    });
    expect(planRestart([], 0, fast).delayMs).toBe(50);
    expect(KUBERNETES_BACKOFF).toEqual({
      initialDelayMs: 10_000,
      maxDelayMs: 300_000,
      resetAfterMs: 600_000,
    });
  });
});
