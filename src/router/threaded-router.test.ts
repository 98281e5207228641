import type { ServerResponse } from "node:http";
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type EchoedRequest, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";
import {
  createThreadedRouter,
  type RouterThreadLiveness,
  routerThreadOf,
  stallRouterThread,
} from "./threaded-router.js";

const host = "web.staging.localhost";
const started: { routers: ReturnType<typeof createThreadedRouter>[]; upstreams: TestUpstream[] } = {
  routers: [],
  upstreams: [],
};

afterEach(async () => {
  await Promise.all(started.routers.splice(0).map((router) => router.close()));
  await Promise.all(started.upstreams.splice(0).map((upstream) => upstream.close()));
});

function newRouter(warnings: string[] = [], liveness?: RouterThreadLiveness) {
  const router = createThreadedRouter(
    { port: 0, logger: { warn: (_details, message) => warnings.push(message) } },
    liveness,
  );
  started.routers.push(router);
  return router;
}

/** A threaded router routing web.staging.localhost to `upstream`, listening. */
async function routing(upstream: TestUpstream, warnings: string[] = [], liveness?: RouterThreadLiveness) {
  started.upstreams.push(upstream);
  const router = newRouter(warnings, liveness);
  router.setRoutes([routeFor("web", [upstream])]);
  const { url } = await router.listen();
  return { router, url };
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) {
      throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("the router in a thread of its own", () => {
  it("routes, counts and reports like the in-process router", async () => {
    const upstream = await startUpstream("web-1");
    const { router, url } = await routing(upstream);
    const response = await send(url, { host, path: "/hello?x=1" });
    expect(response.status).toBe(200);
    expect((JSON.parse(response.body) as EchoedRequest).upstream).toBe("web-1");
    expect(await router.outstanding("web-1")).toBe(0);
    expect(await router.metricsText()).toMatch(
      /slipway_http_requests_total\{service="web",environment="staging",release="v1",code_class="2xx"\} 1/,
    );
  });

  it("counts a request in flight until it is answered, after the route table that sent it", async () => {
    const held: ServerResponse[] = [];
    const upstream = await startUpstream("slow-1", (_request, response) => {
      held.push(response);
    });
    const { router, url } = await routing(upstream);
    const answer = send(url, { host });
    await until(async () => (await router.outstanding("slow-1")) === 1, "the request reaching the replica");
    // The replica leaves the routes: its in-flight request still counts until it is answered.
    router.setRoutes([]);
    expect(await router.outstanding("slow-1")).toBe(1);
    held[0]?.end("done");
    expect((await answer).body).toBe("done");
    await until(async () => (await router.outstanding("slow-1")) === 0, "the count dropping to 0");
  });

  it("throws at the caller for a bad upstream URL and keeps the table it had", async () => {
    const upstream = await startUpstream("web-1");
    const { router, url } = await routing(upstream);
    expect(() =>
      router.setRoutes([routeFor("web", [{ id: "bad", url: "ftp://example", release: "v2" }])]),
    ).toThrow(/upstream bad has URL "ftp:\/\/example": expected http:\/\/HOST:PORT/);
    expect((await send(url, { host })).status).toBe(200);
  });

  it("passes on the router's warnings, and the system's code when it cannot listen", async () => {
    const warnings: string[] = [];
    const upstream = await startUpstream("web-1");
    started.upstreams.push(upstream);
    const router = newRouter(warnings);
    const twice = routeFor("web", [upstream]);
    router.setRoutes([twice, { ...twice, service: "other" }]);
    await until(async () => warnings.length > 0, "the warning");
    expect(warnings[0]).toContain("two routes claim host web.staging.localhost path /");

    const taken = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => taken.once("listening", resolve));
    const port = (taken.address() as { port: number }).port;
    const blocked = createThreadedRouter({ port });
    started.routers.push(blocked);
    await expect(blocked.listen()).rejects.toMatchObject({
      code: "EADDRINUSE",
      router: true,
      message: expect.stringContaining(`the router cannot listen on 127.0.0.1:${port}`),
    });
    taken.close();
  });

  it("starts again on the same port when its thread dies, with the routes set meanwhile", async () => {
    const warnings: string[] = [];
    const upstream = await startUpstream("web-1");
    const successor = await startUpstream("web-2");
    started.upstreams.push(successor);
    const { router, url } = await routing(upstream, warnings);
    const first = router[routerThreadOf]();
    await first.terminate();
    // While no thread runs: nothing is in flight, and a new table waits for the next thread.
    expect(await router.outstanding("web-1")).toBe(0);
    router.setRoutes([routeFor("web", [successor])]);
    await until(async () => router[routerThreadOf]() !== first, "a new thread");
    await until(
      () =>
        send(url, { host }).then(
          (response) => (JSON.parse(response.body) as EchoedRequest).upstream === "web-2",
          () => false,
        ),
      "routing to the new table on the same URL",
    );
    expect(warnings).toContain("the router thread ended unexpectedly; starting it again");
  });

  it("ends a thread that stopped answering and starts it again, still routing", async () => {
    const warnings: string[] = [];
    const liveness = { intervalMs: 50, timeoutMs: 300 };
    const { router, url } = await routing(await startUpstream("web-1"), warnings, liveness);
    const stuck = router[routerThreadOf]();
    // Ten minutes of a loop that does not turn: only the watchdog can end it.
    router[stallRouterThread](600_000);
    await until(async () => router[routerThreadOf]() !== stuck, "a new thread", 5_000);
    await until(
      () =>
        send(url, { host }).then(
          (response) => response.status === 200,
          () => false,
        ),
      "routing again on the same URL",
    );
    expect(warnings).toContain("the router thread stopped answering; ending it to start it again");
  });

  it("closes even when its thread is stuck", async () => {
    const router = createThreadedRouter({ port: 0 }, { intervalMs: 10_000, timeoutMs: 300 });
    await router.listen();
    router[stallRouterThread](600_000);
    const began = Date.now();
    await router.close();
    expect(Date.now() - began).toBeLessThan(3_000);
  });

  it("leaves a thread that answers alone", async () => {
    const warnings: string[] = [];
    // A timeout far shorter than the test, yet wide enough for a loaded machine (2 cores shared
    // with the rest of the suite) to answer a ping in time.
    const liveness = { intervalMs: 20, timeoutMs: 600 };
    const { router, url } = await routing(await startUpstream("web-1"), warnings, liveness);
    const thread = router[routerThreadOf]();
    for (let request = 0; request < 60; request++) {
      expect((await send(url, { host })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(router[routerThreadOf]()).toBe(thread);
    expect(warnings).toEqual([]);
  });
});
