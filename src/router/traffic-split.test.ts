import { describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { closeAfterEach } from "./testing/cleanup.js";
import { deadUpstreamUrl, type EchoedRequest, routeFor, send, startUpstream } from "./testing/upstreams.js";
import type { RouteEntry } from "./types.js";

const host = "web.staging.localhost";
const started = closeAfterEach();

async function routerWith(route: RouteEntry) {
  const router = createRouter({ port: 0 });
  started.routers.push(router);
  router.setRoutes([route]);
  const { url } = await router.listen();
  return { router, url };
}

async function releasesServing(url: string, requests: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < requests; i++) {
    const response = await send(url, { host });
    expect(response.status).toBe(200);
    const { upstream } = JSON.parse(response.body) as EchoedRequest;
    counts[upstream] = (counts[upstream] ?? 0) + 1;
  }
  return counts;
}

describe("a canary's traffic split", () => {
  it("sends exactly the canary's weight of requests to its release, from the first requests on", async () => {
    const upstreams = await Promise.all([
      startUpstream("old-1", undefined, "v1"),
      startUpstream("old-2", undefined, "v1"),
      startUpstream("new-1", undefined, "v2"),
    ]);
    started.upstreams.push(...upstreams);
    const { router, url } = await routerWith(
      routeFor("web", upstreams, { canary: { release: "v2", weight: 20 } }),
    );
    const counts = await releasesServing(url, 50);
    expect(counts["new-1"]).toBe(10);
    // What the deploy controller judges a canary by.
    expect(router.responses("web", "staging", "v2")).toEqual({ total: 10, serverErrors: 0 });
    expect(router.responses("web", "staging", "v1")).toEqual({ total: 40, serverErrors: 0 });
    expect(router.responses("web", "staging", "v3")).toEqual({ total: 0, serverErrors: 0 });
    // The stable side is still balanced over its replicas.
    expect(counts["old-1"]).toBe(20);
    expect(counts["old-2"]).toBe(20);
  });

  it("keeps the share when the route table is swapped between requests (readiness changes do)", async () => {
    const upstreams = await Promise.all([
      startUpstream("old", undefined, "v1"),
      startUpstream("new", undefined, "v2"),
    ]);
    started.upstreams.push(...upstreams);
    const route = routeFor("web", upstreams, { canary: { release: "v2", weight: 20 } });
    const { router, url } = await routerWith(route);
    const counts: Record<string, number> = {};
    for (let i = 0; i < 50; i++) {
      router.setRoutes([route]);
      const seen = await releasesServing(url, 1);
      for (const [id, count] of Object.entries(seen)) {
        counts[id] = (counts[id] ?? 0) + count;
      }
    }
    expect(counts).toEqual({ old: 40, new: 10 });
  });

  it("gives the canary everything at 100 and nothing at 0", async () => {
    const upstreams = await Promise.all([
      startUpstream("old", undefined, "v1"),
      startUpstream("new", undefined, "v2"),
    ]);
    started.upstreams.push(...upstreams);
    const { router, url } = await routerWith(
      routeFor("web", upstreams, { canary: { release: "v2", weight: 100 } }),
    );
    expect(await releasesServing(url, 10)).toEqual({ new: 10 });
    router.setRoutes([routeFor("web", upstreams, { canary: { release: "v2", weight: 0 } })]);
    expect(await releasesServing(url, 10)).toEqual({ old: 10 });
  });

  it("hands a side's share to the other when none of its replicas can take it", async () => {
    const stable = await startUpstream("old", undefined, "v1");
    started.upstreams.push(stable);
    const canary = { id: "new", url: await deadUpstreamUrl(), release: "v2" };
    const { url } = await routerWith(
      routeFor("web", [stable, canary], { canary: { release: "v2", weight: 50 } }),
    );
    // The canary refuses connections: its requests are retried on the stable side, none fails.
    expect(await releasesServing(url, 20)).toEqual({ old: 20 });
  });

  it("splits nothing without a canary release among the replicas", async () => {
    const upstreams = await Promise.all([
      startUpstream("a", undefined, "v1"),
      startUpstream("b", undefined, "v1"),
    ]);
    started.upstreams.push(...upstreams);
    const { url } = await routerWith(routeFor("web", upstreams, { canary: { release: "v9", weight: 30 } }));
    expect(await releasesServing(url, 10)).toEqual({ a: 5, b: 5 });
  });
});
