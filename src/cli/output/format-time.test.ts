import { describe, expect, it } from "vitest";
import { formatRelativeTime } from "./format-time.js";

const now = new Date("2025-06-01T12:00:00Z");

describe("formatRelativeTime", () => {
  it.each([
    ["2025-06-01T11:59:58Z", "just now"],
    ["2025-06-01T11:55:00Z", "5m ago"],
    ["2025-06-01T09:30:00Z", "2h ago"],
    ["2025-05-29T12:00:00Z", "3d ago"],
    ["2025-07-01T12:00:00Z", "in 30d"],
    ["2025-06-01T12:00:42Z", "in 42s"],
    ["2025-08-29T12:00:00Z", "in 89d"],
    ["2024-01-15T08:00:00Z", "2024-01-15"],
  ])("%s is %s", (iso, expected) => {
    expect(formatRelativeTime(iso, now)).toBe(expected);
  });

  it("shows the fallback for null and the raw text when unparseable", () => {
    expect(formatRelativeTime(null, now)).toBe("never");
    expect(formatRelativeTime(undefined, now, "-")).toBe("-");
    expect(formatRelativeTime("soon", now)).toBe("soon");
  });
});
