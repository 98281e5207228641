import { describe, expect, it } from "vitest";
import { describeExit } from "./exit-record.js";

const at = "2026-01-01T00:00:00.000Z";

describe("describeExit", () => {
  it("calls exit 0 Completed and any other status Error", () => {
    expect(describeExit({ code: 0, signal: null, at })).toEqual({
      code: 0,
      signal: null,
      reason: "Completed",
      at,
    });
    expect(describeExit({ code: 3, signal: null, at })).toEqual({
      code: 3,
      signal: null,
      reason: "Error",
      at,
    });
  });

  it("gives signal deaths the shell's status, 128 + the signal number", () => {
    expect(describeExit({ code: null, signal: "SIGTERM", at })).toMatchObject({ code: 143, reason: "Error" });
    expect(describeExit({ code: null, signal: "SIGKILL", at })).toMatchObject({ code: 137, reason: "Error" });
  });

  it("records an over-limit kill the same whichever mechanism caught it", () => {
    for (const enforcedBy of ["cgroup-v1", "cgroup-v2", "rss-watchdog"] as const) {
      const oom = { limitBytes: 64, peakBytes: 70, enforcedBy };
      expect(describeExit({ code: 0, signal: null, at, oom })).toEqual({
        code: 137,
        signal: "SIGKILL",
        reason: "OOMKilled",
        oom,
        at,
      });
    }
  });

  it("keeps an unknown end unknown, with the reason why", () => {
    expect(describeExit({ code: null, signal: null, at, message: "shim vanished" })).toEqual({
      code: null,
      signal: null,
      reason: "Error",
      message: "shim vanished",
      at,
    });
  });
});
