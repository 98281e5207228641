import { describe, expect, it } from "vitest";
import { createRouter, type Upstream } from "./index.js";
import { closeAfterEach } from "./testing/cleanup.js";
import { deadUpstreamUrl, type EchoedRequest, routeFor, send, startUpstream } from "./testing/upstreams.js";

const host = "web.staging.localhost";
const started = closeAfterEach();

async function setUp(upstreams: Upstream[]) {
  const router = createRouter({ port: 0 });
  started.routers.push(router);
  router.setRoutes([routeFor("web", upstreams)]);
  const { url } = await router.listen();
  return { router, url };
}

async function upstream(...args: Parameters<typeof startUpstream>) {
  const server = await startUpstream(...args);
  started.upstreams.push(server);
  return server;
}

describe("retrying a failed connection once on another replica", () => {
  it("retries a refused connection on the live replica", async () => {
    const dead = { id: "dead", url: await deadUpstreamUrl(), release: "v1" };
    const live = await upstream("live");
    const { router, url } = await setUp([dead, live]);
    for (let i = 0; i < 6; i++) {
      const response = await send(url, { host });
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as EchoedRequest).upstream).toBe("live");
    }
    expect(live.hits).toBe(6);
    expect(router.outstanding("dead")).toBe(0);
    expect(await router.metricsText()).not.toContain('reason="connection_refused"');
  });

  it("retries a refused POST with its body intact, since no byte was sent", async () => {
    const dead = { id: "dead", url: await deadUpstreamUrl(), release: "v1" };
    const live = await upstream("live");
    const { url } = await setUp([dead, live]);
    for (let i = 0; i < 2; i++) {
      const response = await send(url, { host, method: "POST", body: `payload ${i}` });
      expect(response.status).toBe(200);
      expect((JSON.parse(response.body) as EchoedRequest).body).toBe(`payload ${i}`);
    }
  });

  it("retries a GET whose connection broke before any answer", async () => {
    const breaking = await upstream("breaking", (req) => req.socket.destroy());
    const live = await upstream("live");
    const { url } = await setUp([breaking, live]);
    for (let i = 0; i < 4; i++) {
      expect((await send(url, { host })).status).toBe(200);
    }
    expect(breaking.hits).toBeGreaterThan(0);
    expect(live.hits).toBe(4);
  });

  it("never retries a POST whose body reached the replica", async () => {
    const resetting = await upstream("resetting", (req) => {
      req.resume();
      req.on("end", () => req.socket.destroy());
    });
    const live = await upstream("live");
    const { url } = await setUp([resetting, live]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await send(url, { host, method: "POST", body: "charge the card" });
      statuses.push(response.status);
      if (response.status === 502) {
        expect(response.headers["x-slipway-router-error"]).toBe("connection_failed");
        expect(JSON.parse(response.body).detail).toMatch(/^upstream resetting of web failed: /);
      }
    }
    expect(statuses.filter((status) => status === 502)).toHaveLength(resetting.hits);
    expect(statuses.filter((status) => status === 200)).toHaveLength(live.hits);
    expect(resetting.hits + live.hits).toBe(4);
    expect(resetting.hits).toBeGreaterThan(0);
  });

  it("gives up after one retry when every replica refuses", async () => {
    const dead = [
      { id: "dead-1", url: await deadUpstreamUrl(), release: "v1" },
      { id: "dead-2", url: await deadUpstreamUrl(), release: "v1" },
    ];
    const { url } = await setUp(dead);
    const response = await send(url, { host });
    expect(response.status).toBe(502);
    expect(JSON.parse(response.body).detail).toMatch(/^upstream dead-\d of web failed: connection refused$/);
  });
});

describe("passing over a replica that refused a connection", () => {
  it("sends it nothing during the cooldown, then takes it back", async () => {
    const deadUrl = await deadUpstreamUrl();
    const live = await upstream("live");
    const router = createRouter({ port: 0, refusedCooldownMs: 300 });
    started.routers.push(router);
    router.setRoutes([routeFor("web", [{ id: "flaky", url: deadUrl, release: "v1" }, live])]);
    const { url } = await router.listen();

    // The first request that lands on it is refused, retried on `live`, and ejects it.
    for (let i = 0; i < 4; i++) {
      expect((await send(url, { host })).status).toBe(200);
    }
    // Now something listens on its port again, but the cooldown keeps traffic away for a while.
    const { createServer } = await import("node:http");
    let revivedHits = 0;
    const revived = createServer((_req, res) => {
      revivedHits++;
      res.end(JSON.stringify({ upstream: "flaky" }));
    });
    revived.listen(Number(new URL(deadUrl).port), "127.0.0.1");
    await new Promise((resolve) => revived.once("listening", resolve));
    try {
      for (let i = 0; i < 6; i++) {
        expect((await send(url, { host })).status).toBe(200);
      }
      expect(revivedHits).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 350));
      for (let i = 0; i < 6; i++) {
        expect((await send(url, { host })).status).toBe(200);
      }
      expect(revivedHits).toBeGreaterThan(0);
    } finally {
      revived.closeAllConnections();
      await new Promise((resolve) => revived.close(resolve));
    }
  });

  it("still tries an ejected replica when every replica of the route is ejected", async () => {
    const deadUrl = await deadUpstreamUrl();
    const router = createRouter({ port: 0, refusedCooldownMs: 60_000 });
    started.routers.push(router);
    router.setRoutes([routeFor("web", [{ id: "only", url: deadUrl, release: "v1" }])]);
    const { url } = await router.listen();
    expect((await send(url, { host })).status).toBe(502);
    const { createServer } = await import("node:http");
    const revived = createServer((_req, res) => res.end("{}"));
    revived.listen(Number(new URL(deadUrl).port), "127.0.0.1");
    await new Promise((resolve) => revived.once("listening", resolve));
    try {
      expect((await send(url, { host })).status).toBe(200);
    } finally {
      revived.closeAllConnections();
      await new Promise((resolve) => revived.close(resolve));
    }
  });
});
