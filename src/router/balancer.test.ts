import { describe, expect, it } from "vitest";
import { leastOutstanding, type Rotation, roundRobin } from "./balancer.js";

interface Replica {
  name: string;
  outstanding: number;
}

const rotation = (...outstanding: number[]): Rotation<Replica> => ({
  members: outstanding.map((count, index) => ({ name: `r${index}`, outstanding: count })),
  cursor: 0,
});

const picks = (policy: typeof roundRobin, state: Rotation<Replica>, times: number) =>
  Array.from({ length: times }, () => policy(state)?.name);

describe("least-outstanding selection", () => {
  it("takes the replica with the fewest requests in flight", () => {
    expect(leastOutstanding(rotation(3, 1, 2))?.name).toBe("r1");
  });

  it("breaks ties in turn, so idle replicas share the load", () => {
    expect(picks(leastOutstanding, rotation(0, 0, 0), 6)).toEqual(["r0", "r1", "r2", "r0", "r1", "r2"]);
    expect(picks(leastOutstanding, rotation(0, 5, 0), 4)).toEqual(["r0", "r2", "r2", "r0"]);
  });

  it("skips the excluded replica, and finds nothing in an empty route", () => {
    const state = rotation(0, 9);
    const first = state.members[0];
    expect(leastOutstanding(state, first)?.name).toBe("r1");
    expect(leastOutstanding(rotation())).toBeUndefined();
    expect(leastOutstanding(rotation(0), rotation(0).members[0])?.name).toBe("r0");
  });
});

describe("round-robin selection", () => {
  it("takes each replica in turn, busy or not", () => {
    expect(picks(roundRobin, rotation(9, 0, 0), 4)).toEqual(["r0", "r1", "r2", "r0"]);
  });

  it("skips the excluded replica", () => {
    const state = rotation(0, 0);
    expect(roundRobin(state, state.members[0])?.name).toBe("r1");
    expect(roundRobin(state, state.members[0])?.name).toBe("r1");
    expect(roundRobin(rotation())).toBeUndefined();
  });
});
