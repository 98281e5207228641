import { describe, expect, it } from "vitest";
import { newId, nowIso } from "./ids.js";

describe("newId", () => {
  it("is the prefix, an underscore and 20 lower-case base32 characters", () => {
    expect(newId("svc")).toMatch(/^svc_[a-z2-7]{20}$/);
  });

  it("does not repeat", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("x")));
    expect(ids.size).toBe(10_000);
  });
});

describe("nowIso", () => {
  it("is UTC ISO-8601 with milliseconds, so it sorts as text", () => {
    const before = Date.now();
    const now = nowIso();
    expect(now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(now)).toBeGreaterThanOrEqual(before);
  });
});
