import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { deadUpstreamUrl, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";

describe("errors the router answers itself", () => {
  const router = createRouter({ port: 0, upstreamTimeoutMs: 200 });
  let url = "";
  let slow: TestUpstream;

  beforeAll(async () => {
    slow = await startUpstream("slow-1", (_req, res) => {
      setTimeout(() => res.end("too late"), 1_000);
    });
    router.setRoutes([
      routeFor("web", [slow], { hosts: ["secret-admin.internal"], pathPrefix: "/only-here" }),
      routeFor("empty", []),
      routeFor("dead", [{ id: "dead-1", url: await deadUpstreamUrl(), release: "v1" }]),
      routeFor("slow", [slow]),
    ]);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    await slow.close();
  });

  const problemOf = async (host: string, path = "/") => {
    const response = await send(url, { host, path });
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(response.body).not.toMatch(/<html|at .*\.js:\d+/i);
    return { response, problem: JSON.parse(response.body) as Record<string, unknown> };
  };

  it("404 names the host and path, and lists no route", async () => {
    const { response, problem } = await problemOf("nowhere.example", "/x/y");
    expect(response.status).toBe(404);
    expect(response.headers["x-slipway-router-error"]).toBe("no_route");
    expect(problem).toMatchObject({
      status: 404,
      reason: "no_route",
      detail: "no route for host nowhere.example path /x/y",
    });
    expect(response.body).not.toContain("secret-admin");
    expect(response.body).not.toContain("only-here");
  });

  it("404 when the host is known but no prefix matches", async () => {
    const { response } = await problemOf("secret-admin.internal", "/elsewhere");
    expect(response.status).toBe(404);
  });

  it("503 names the service and environment without a ready replica", async () => {
    const { response, problem } = await problemOf("empty.staging.localhost");
    expect(response.status).toBe(503);
    expect(response.headers["x-slipway-router-error"]).toBe("no_ready_replica");
    expect(problem).toMatchObject({
      detail: "service empty in environment staging has no ready replica",
      service: "empty",
      environment: "staging",
    });
  });

  it("502 names the replica, the service and the refused connection", async () => {
    const { response, problem } = await problemOf("dead.staging.localhost");
    expect(response.status).toBe(502);
    expect(response.headers["x-slipway-router-error"]).toBe("connection_refused");
    expect(problem.detail).toBe("upstream dead-1 of dead failed: connection refused");
  });

  it("504 names the replica and the time it had", async () => {
    const started = Date.now();
    const { response, problem } = await problemOf("slow.staging.localhost");
    expect(response.status).toBe(504);
    expect(response.headers["x-slipway-router-error"]).toBe("upstream_timeout");
    expect(problem.detail).toBe("upstream slow-1 of slow did not answer within 200 ms");
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("carries the request id in the problem", async () => {
    const response = await send(url, { host: "nowhere.example", headers: { "x-request-id": "trace-1" } });
    expect(response.headers["x-request-id"]).toBe("trace-1");
    expect(JSON.parse(response.body)).toMatchObject({ requestId: "trace-1" });
  });
});
