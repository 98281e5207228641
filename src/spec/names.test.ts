import { describe, expect, it } from "vitest";
import { isDnsLabel, isRouteHost, toDnsLabel } from "./names.js";

describe("isDnsLabel", () => {
  it.each(["a", "web", "billing-api", "api2", `a${"b".repeat(62)}`])("accepts %j", (name) => {
    expect(isDnsLabel(name)).toBe(true);
  });

  it.each([
    "",
    "../etc",
    "my app",
    "$(rm -rf)",
    "Web",
    "2fast",
    "-web",
    "web-",
    "a_b",
    "a.b",
    "web;ls",
    `a${"b".repeat(63)}`,
  ])("rejects %j", (name) => {
    expect(isDnsLabel(name)).toBe(false);
  });
});

describe("toDnsLabel", () => {
  it.each([
    ["My App", "my-app"],
    ["@acme/web_server", "acme-web-server"],
    ["../etc", "etc"],
    ["2048-game", "game"],
    ["x".repeat(80), "x".repeat(63)],
  ])("turns %j into %j", (raw, label) => {
    expect(toDnsLabel(raw)).toBe(label);
  });

  it("gives up when nothing usable is left", () => {
    expect(toDnsLabel("1234")).toBeUndefined();
    expect(toDnsLabel("$$$")).toBeUndefined();
  });
});

describe("isRouteHost", () => {
  it.each(["example.com", "api.example.com", "localhost", "*.example.com", "API.Example.com"])(
    "accepts %j",
    (host) => {
      expect(isRouteHost(host)).toBe(true);
    },
  );

  it.each([
    "https://example.com",
    "example.com:8080",
    "*example.com",
    "a.*.com",
    "-a.com",
    "exa mple.com",
    "",
  ])("rejects %j", (host) => {
    expect(isRouteHost(host)).toBe(false);
  });
});
