import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { closeAfterEach } from "./testing/cleanup.js";
import {
  type EchoedRequest,
  eventually,
  routeFor,
  send,
  startUpstream,
  type TestUpstream,
} from "./testing/upstreams.js";

const host = "web.staging.localhost";
const started = closeAfterEach();

async function setUp(balancing: "least-outstanding" | "round-robin", upstreams: TestUpstream[]) {
  const router = createRouter({ port: 0, balancing });
  started.routers.push(router);
  started.upstreams.push(...upstreams);
  router.setRoutes([routeFor("web", upstreams)]);
  const { url } = await router.listen();
  return { router, url };
}

/** A replica that holds every response until `releaseAll()`. */
async function heldUpstream(id: string) {
  const held: ServerResponse[] = [];
  const upstream = await startUpstream(id, (_req, res) => {
    held.push(res);
  });
  const releaseAll = () => {
    for (const res of held.splice(0)) {
      res.end(JSON.stringify({ upstream: id }));
    }
  };
  return { upstream, held, releaseAll };
}

async function servedBy(url: string): Promise<string> {
  const response = await send(url, { host });
  return (JSON.parse(response.body) as EchoedRequest).upstream;
}

describe.each(["least-outstanding", "round-robin"] as const)("%s balancing", (balancing) => {
  it("spreads sequential requests evenly over the replicas", async () => {
    const upstreams = await Promise.all([startUpstream("a"), startUpstream("b"), startUpstream("c")]);
    const { url } = await setUp(balancing, upstreams);
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const id = await servedBy(url);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect(Object.fromEntries(counts)).toEqual({ a: 10, b: 10, c: 10 });
  });
});

describe("least-outstanding balancing", () => {
  it("sends new requests to the idle replica while the other is busy", async () => {
    const slow = await heldUpstream("slow");
    const fast = await startUpstream("fast");
    const { router, url } = await setUp("least-outstanding", [slow.upstream, fast]);
    const stuck = send(url, { host });
    await eventually(() => slow.held.length === 1);
    expect(router.outstanding("slow")).toBe(1);
    for (let i = 0; i < 6; i++) {
      expect(await servedBy(url)).toBe("fast");
    }
    slow.releaseAll();
    expect((await stuck).status).toBe(200);
    expect(router.outstanding("slow")).toBe(0);
  });

  it("round robin, by contrast, keeps sending to the busy replica", async () => {
    const slow = await heldUpstream("slow");
    const fast = await startUpstream("fast");
    const { url } = await setUp("round-robin", [slow.upstream, fast]);
    const pending = [send(url, { host }), send(url, { host }), send(url, { host }), send(url, { host })];
    await eventually(() => slow.held.length === 2);
    slow.releaseAll();
    await Promise.all(pending);
    expect(fast.hits).toBe(2);
  });
});

describe("replicas leaving the rotation", () => {
  it("gets no new request at once, and its in-flight request still completes", async () => {
    const leaving = await heldUpstream("leaving");
    const staying = await startUpstream("staying");
    const { router, url } = await setUp("round-robin", [leaving.upstream, staying]);
    const inFlight = send(url, { host });
    await eventually(() => leaving.held.length === 1);

    router.setRoutes([routeFor("web", [staying])]);
    for (let i = 0; i < 5; i++) {
      expect(await servedBy(url)).toBe("staying");
    }
    expect(leaving.upstream.hits).toBe(1);
    expect(router.outstanding("leaving")).toBe(1);

    leaving.releaseAll();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ upstream: "leaving" });
    await eventually(() => router.outstanding("leaving") === 0);
  });

  it("keeps counting a replica that stays across a route swap", async () => {
    const held = await heldUpstream("kept");
    const { router, url } = await setUp("least-outstanding", [held.upstream]);
    const inFlight = send(url, { host });
    await eventually(() => held.held.length === 1);
    router.setRoutes([routeFor("web", [held.upstream], { hosts: ["www.example.com"] })]);
    expect(router.outstanding("kept")).toBe(1);
    held.releaseAll();
    await inFlight;
    await eventually(() => router.outstanding("kept") === 0);
    expect(router.outstanding("never-seen")).toBe(0);
  });

  it("takes back a replica that returns while its old requests still drain", async () => {
    const held = await heldUpstream("returning");
    const other = await startUpstream("other");
    const { router, url } = await setUp("round-robin", [held.upstream, other]);
    const first = send(url, { host });
    await eventually(() => held.held.length === 1);
    router.setRoutes([routeFor("web", [other])]);
    router.setRoutes([routeFor("web", [held.upstream])]);
    const second = send(url, { host });
    await eventually(() => held.held.length === 2);
    expect(router.outstanding("returning")).toBe(2);
    held.releaseAll();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    await eventually(() => router.outstanding("returning") === 0);
  });
});
