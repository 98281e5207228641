import { describe, expect, it } from "vitest";
import { normalizeServerUrl } from "./server-url.js";

describe("normalizeServerUrl", () => {
  it.each([
    ["http://127.0.0.1:7420", "http://127.0.0.1:7420"],
    ["http://127.0.0.1:7420/", "http://127.0.0.1:7420"],
    ["localhost:7420", "http://localhost:7420"],
    ["https://slipway.example.com/", "https://slipway.example.com"],
    ["https://example.com/slipway/", "https://example.com/slipway"],
  ])("%s becomes %s", (input, expected) => {
    expect(normalizeServerUrl(input)).toBe(expected);
  });

  it.each(["ftp://x", "http://user:pw@x", "http://x/?a=1", "http://"])(
    "refuses %s with a usage error",
    (input) => {
      expect(() => normalizeServerUrl(input)).toThrow(/URL|address/);
    },
  );
});
