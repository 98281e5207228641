import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { type EchoedRequest, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";

describe("routing by host and path prefix", () => {
  const router = createRouter({ port: 0 });
  let url = "";
  let web: TestUpstream;
  let api: TestUpstream;
  let apiV2: TestUpstream;
  let tenants: TestUpstream;
  let admin: TestUpstream;

  beforeAll(async () => {
    [web, api, apiV2, tenants, admin] = await Promise.all([
      startUpstream("web-1"),
      startUpstream("api-1"),
      startUpstream("api-v2-1"),
      startUpstream("tenants-1"),
      startUpstream("admin-1"),
    ]);
    router.setRoutes([
      routeFor("web", [web], { hosts: ["example.com"] }),
      routeFor("api", [api], { hosts: ["example.com"], pathPrefix: "/api" }),
      routeFor("api-v2", [apiV2], { hosts: ["example.com"], pathPrefix: "/api/v2/" }),
      routeFor("tenants", [tenants], { hosts: ["*.example.com"] }),
      routeFor("admin", [admin], { hosts: ["*.example.com"], pathPrefix: "/admin" }),
      routeFor("admin-exact", [web], { hosts: ["acme.example.com"], pathPrefix: "/admin" }),
    ]);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    await Promise.all([web, api, apiV2, tenants, admin].map((upstream) => upstream.close()));
  });

  const servedBy = async (host: string, path: string) => {
    const response = await send(url, { host, path });
    return response.status === 200 ? (JSON.parse(response.body) as EchoedRequest).upstream : response.status;
  };

  it("routes by the default SERVICE.ENV.localhost host", async () => {
    expect(await servedBy("web.staging.localhost", "/")).toBe("web-1");
    expect(await servedBy("api.staging.localhost", "/api/users")).toBe("api-1");
  });

  it("matches hosts case-insensitively and ignores the port", async () => {
    expect(await servedBy("EXAMPLE.com:8080", "/")).toBe("web-1");
    expect(await servedBy("example.com.", "/")).toBe("web-1");
  });

  it("picks the longest path prefix, on whole segments", async () => {
    expect(await servedBy("example.com", "/api")).toBe("api-1");
    expect(await servedBy("example.com", "/api/")).toBe("api-1");
    expect(await servedBy("example.com", "/api/users?page=2")).toBe("api-1");
    expect(await servedBy("example.com", "/api/v2/users")).toBe("api-v2-1");
    expect(await servedBy("example.com", "/api/v2")).toBe("api-v2-1");
    expect(await servedBy("example.com", "/apix")).toBe("web-1");
    expect(await servedBy("example.com", "/api/v22")).toBe("api-1");
  });

  it("matches prefixes on the resolved path, as nginx does: .. cannot slip into another service", async () => {
    // On example.com, /api goes to api, everything else to web: /api/../ is web's root.
    expect(await servedBy("example.com", "/api/../secret")).toBe("web-1");
    expect(await servedBy("example.com", "/api/%2E%2e/secret")).toBe("web-1");
    expect(await servedBy("example.com", "/x/../api/v2/users")).toBe("api-v2-1");
    expect(await servedBy("example.com", "//api//v2")).toBe("api-v2-1");
    // The request still reaches the replica as it was sent.
    const response = await send(url, { host: "example.com", path: "/x/./../api/users?q=1" });
    expect(JSON.parse(response.body) as EchoedRequest).toMatchObject({
      upstream: "api-1",
      url: "/x/./../api/users?q=1",
    });
    const above = await send(url, { host: "example.com", path: "/api/../../etc/passwd" });
    expect(above.status).toBe(400);
    expect(JSON.parse(above.body).detail).toContain("climbs above /");
  });

  it("matches single-label wildcards, exact hosts first on equal prefixes", async () => {
    expect(await servedBy("acme.example.com", "/")).toBe("tenants-1");
    expect(await servedBy("acme.example.com", "/admin/users")).toBe("web-1");
    expect(await servedBy("other.example.com", "/admin/users")).toBe("admin-1");
    expect(await servedBy("a.b.example.com", "/")).toBe(404);
  });

  it("prefers a longer wildcard prefix over a shorter exact one", async () => {
    router.setRoutes([
      routeFor("exact", [web], { hosts: ["shop.example.com"] }),
      routeFor("wild", [tenants], { hosts: ["*.example.com"], pathPrefix: "/cart" }),
    ]);
    expect(await servedBy("shop.example.com", "/cart/1")).toBe("tenants-1");
    expect(await servedBy("shop.example.com", "/")).toBe("web-1");
  });

  it("passes the path and query string through unchanged", async () => {
    router.setRoutes([routeFor("api", [api], { pathPrefix: "/api" })]);
    const response = await send(url, { host: "api.staging.localhost", path: "/api/a%20b/c?x=1&y=%2F" });
    expect((JSON.parse(response.body) as EchoedRequest).url).toBe("/api/a%20b/c?x=1&y=%2F");
  });

  it("relays HEAD and 204 answers without a body", async () => {
    const quiet = await startUpstream("quiet-1", (req, res) => {
      res.writeHead(req.method === "HEAD" ? 200 : 204, {
        "content-length": req.method === "HEAD" ? "5" : "0",
      });
      res.end();
    });
    router.setRoutes([routeFor("quiet", [quiet])]);
    const head = await send(url, { host: "quiet.staging.localhost", method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("5");
    expect(head.body).toBe("");
    const empty = await send(url, { host: "quiet.staging.localhost", method: "DELETE" });
    expect(empty.status).toBe(204);
    await quiet.close();
  });

  it("refuses a route table with a non-http upstream URL, keeping the current one", async () => {
    router.setRoutes([routeFor("web", [web])]);
    const bad = { id: "bad-1", url: "ftp://127.0.0.1:21", release: "v1" };
    expect(() => router.setRoutes([routeFor("bad", [bad])])).toThrow(
      'upstream bad-1 has URL "ftp://127.0.0.1:21": expected http://HOST:PORT',
    );
    expect(await servedBy("web.staging.localhost", "/")).toBe("web-1");
  });

  it("says which address is taken when it cannot listen", async () => {
    const taken = Number(new URL(url).port);
    const second = createRouter({ port: taken });
    await expect(second.listen()).rejects.toThrow(
      `the router cannot listen on 127.0.0.1:${taken}: listen EADDRINUSE`,
    );
    await second.close();
  });
});
