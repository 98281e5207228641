import { describe, expect, it } from "vitest";
import { shouldUseColor } from "./colors.js";

describe("shouldUseColor", () => {
  it("colours only a TTY without NO_COLOR and without --json", () => {
    expect(shouldUseColor({ isTTY: true, env: {}, json: false })).toBe(true);
    expect(shouldUseColor({ isTTY: false, env: {}, json: false })).toBe(false);
    expect(shouldUseColor({ isTTY: true, env: { NO_COLOR: "1" }, json: false })).toBe(false);
    expect(shouldUseColor({ isTTY: true, env: {}, json: true })).toBe(false);
  });
});
