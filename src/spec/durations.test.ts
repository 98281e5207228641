import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./durations.js";

describe("parseDuration", () => {
  it.each([
    ["0s", 0],
    ["500ms", 500],
    ["30s", 30_000],
    ["5m", 300_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["2d", 172_800_000],
    ["1h2m3s4ms", 3_723_004],
    ["05m", 300_000],
    ["90s", 90_000],
  ])("reads %s as %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ["", "empty"],
    ["10", "a bare number"],
    ["0", "a bare zero"],
    ["1.5s", "a decimal"],
    ["-5s", "a negative"],
    ["5 m", "a space"],
    ["5min", "an unknown unit"],
    ["1w", "weeks"],
    ["30S", "an upper-case unit"],
    ["1s30m", "units out of order"],
    ["1m1m", "a repeated unit"],
    [" 5s", "leading space"],
    ["ten", "words"],
    ["5ms5s", "ms before s"],
    ["99999999999999999999d", "an overflowing value"],
  ])("rejects %j (%s)", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [500, "500ms"],
    [90_000, "1m30s"],
    [3_600_000, "1h"],
    [86_400_000 + 1, "1d1ms"],
  ])("formats %i ms as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("round-trips through parseDuration", () => {
    for (const ms of [1, 999, 1000, 61_001, 3_599_999, 90_061_001]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });

  it("refuses negative and fractional values", () => {
    expect(() => formatDuration(-1)).toThrow(RangeError);
    expect(() => formatDuration(1.5)).toThrow(RangeError);
  });
});
