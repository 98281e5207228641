import { describe, expect, it } from "vitest";
import { locateField } from "./locate-field.js";

const source = [
  "service: web",
  "start: node server.js",
  "routes:",
  "  - host: a.example.com",
  "  - path: /api",
  "environments:",
  "  staging:",
  "    routes: [{ host: s.example.com }]",
  "",
].join("\n");

describe("locateField", () => {
  it("finds a field's value by its path, in lists and environments too", () => {
    expect(locateField(source, "routes[0].host")).toEqual({ line: 4, column: 11 });
    expect(locateField(source, "routes[1].path")).toEqual({ line: 5, column: 11 });
    expect(locateField(source, "environments.staging.routes[0].host")).toEqual({ line: 8, column: 22 });
  });

  it("falls back to the nearest written part of a path whose end is a default", () => {
    expect(locateField(source, "routes[0].path")).toEqual({ line: 4, column: 5 });
    expect(locateField(source, "service")).toEqual({ line: 1, column: 10 });
    expect(locateField(source, "nothing.here")).toBeUndefined();
  });
});
