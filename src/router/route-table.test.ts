import { describe, expect, it } from "vitest";
import { normalisePathPrefix, pathHasPrefix, RouteTable } from "./route-table.js";

const route = (name: string, hosts: string[], pathPrefix = "/") => ({ name, hosts, pathPrefix });

describe("RouteTable", () => {
  const table = new RouteTable([
    route("site", ["example.com"]),
    route("api", ["example.com"], "/api"),
    route("tenants", ["*.example.com"]),
    route("tenant-admin", ["*.example.com"], "/admin"),
    route("acme-admin", ["acme.example.com"], "/admin"),
    route("Upper", ["MIXED.Example.com."]),
  ]);
  const match = (host: string, path: string) => table.match(host, path)?.name;

  it("matches exact hosts and longest prefixes", () => {
    expect(match("example.com", "/")).toBe("site");
    expect(match("example.com", "/api/x")).toBe("api");
    expect(match("example.com", "/apix")).toBe("site");
  });

  it("matches a wildcard on exactly one label", () => {
    expect(match("acme.example.com", "/")).toBe("tenants");
    expect(match("x.acme.example.com", "/")).toBeUndefined();
    expect(match("example.com.evil", "/")).toBeUndefined();
  });

  it("prefers the exact host on equal prefixes, the longer prefix otherwise", () => {
    expect(match("acme.example.com", "/admin")).toBe("acme-admin");
    expect(match("other.example.com", "/admin")).toBe("tenant-admin");
    expect(match("example.com", "/admin")).toBe("site");
  });

  it("stores host patterns case-folded and without a trailing dot", () => {
    expect(match("mixed.example.com", "/")).toBe("Upper");
  });

  it("keeps the first of two routes claiming the same host and prefix, and reports it", () => {
    const conflicting = new RouteTable([
      route("first", ["a.test"], "/x"),
      route("second", ["a.test"], "/x/"),
    ]);
    expect(conflicting.match("a.test", "/x")?.name).toBe("first");
    expect(conflicting.conflicts).toEqual([{ host: "a.test", pathPrefix: "/x" }]);
  });
});

describe("path prefixes", () => {
  it("normalise to a leading slash and no trailing one", () => {
    expect(normalisePathPrefix("/")).toBe("/");
    expect(normalisePathPrefix("")).toBe("/");
    expect(normalisePathPrefix("api/")).toBe("/api");
    expect(normalisePathPrefix("/a/b//")).toBe("/a/b");
  });

  it("match whole segments only", () => {
    expect(pathHasPrefix("/api", "/api")).toBe(true);
    expect(pathHasPrefix("/api/", "/api")).toBe(true);
    expect(pathHasPrefix("/api/v1", "/api")).toBe(true);
    expect(pathHasPrefix("/apix", "/api")).toBe(false);
    expect(pathHasPrefix("/ap", "/api")).toBe(false);
    expect(pathHasPrefix("/anything", "/")).toBe(true);
  });
});
