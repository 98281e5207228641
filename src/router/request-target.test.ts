import { describe, expect, it } from "vitest";
import { normaliseHost, readRequestTarget, routingPath } from "./request-target.js";

describe("normaliseHost", () => {
  it.each([
    ["example.com", "example.com"],
    ["Example.COM:8080", "example.com"],
    ["example.com.", "example.com"],
    ["web.staging.localhost:7480", "web.staging.localhost"],
    ["127.0.0.1:80", "127.0.0.1"],
    ["[::1]:7480", "[::1]"],
    ["[::1]", "[::1]"],
    ["my_service.internal", "my_service.internal"],
    ["example.com:", "example.com"],
  ])("%s → %s", (authority, host) => {
    expect(normaliseHost(authority)).toBe(host);
  });

  it.each([
    "",
    ":80",
    "bad host",
    "a/b",
    "user@host",
    "host:port",
    "host:123456",
    "-leading.example",
    "[not-ipv6]",
    `${"a".repeat(254)}`,
    "exa\u00e9mple.com",
  ])("rejects %j", (authority) => {
    expect(normaliseHost(authority)).toBeUndefined();
  });
});

describe("readRequestTarget", () => {
  const target = (url: string, host?: string) => readRequestTarget({ url, host });

  it("gives the same answer for a Host seen before, and still refuses a bad one", () => {
    for (let round = 0; round < 3; round++) {
      expect(target("/", "Web.Example.com:80")).toMatchObject({
        host: "web.example.com",
        authority: "Web.Example.com:80",
      });
      expect(target("/", "bad host")).toEqual({ problem: "the Host header is not a valid host name" });
    }
    // More distinct hosts than the memo keeps: it starts over rather than growing.
    for (let index = 0; index < 3_000; index++) {
      expect(target("/", `h${index}.example`)).toMatchObject({ host: `h${index}.example` });
    }
    expect(target("/", "WEB.example.com")).toMatchObject({ host: "web.example.com" });
  });

  it("splits path and query", () => {
    expect(target("/api/x?y=1", "Web.Example")).toEqual({
      host: "web.example",
      authority: "Web.Example",
      path: "/api/x",
      pathAndQuery: "/api/x?y=1",
    });
  });

  it("takes the authority of an absolute-form target over Host", () => {
    expect(target("http://web.example:81/p?q", "other")).toMatchObject({
      host: "web.example",
      authority: "web.example:81",
      pathAndQuery: "/p?q",
    });
    expect(target("HTTP://web.example", "other")).toMatchObject({ host: "web.example", pathAndQuery: "/" });
  });

  it("explains what is wrong with an unroutable request", () => {
    expect(target("/", undefined)).toEqual({ problem: "the request has no Host header" });
    expect(target("*", "web.example")).toEqual({
      problem: "the request target must be a path starting with /",
    });
    expect(target("/", "a b")).toEqual({ problem: "the Host header is not a valid host name" });
    expect(readRequestTarget({ url: "/", host: "a", hostCount: 2 })).toEqual({
      problem: "the request has more than one Host header",
    });
  });
});

describe("routingPath", () => {
  it.each([
    ["/", "/"],
    ["/api/users", "/api/users"],
    ["/api/../admin", "/admin"],
    ["/api/%2e%2E/admin", "/admin"],
    ["/a/./b", "/a/b"],
    ["/a//b", "/a/b"],
    ["/a/b/", "/a/b/"],
    ["/a/b/.", "/a/b/"],
    ["/a/..", "/"],
    ["/a/.b/..c", "/a/.b/..c"],
    ["/%41", "/%41"],
  ])("%s is routed as %s", (path, routed) => {
    expect(routingPath(path)).toBe(routed);
  });

  it.each(["/..", "/a/../..", "/%2e%2e/x"])("%s climbs above / and is refused", (path) => {
    expect(routingPath(path)).toBeUndefined();
  });
});
