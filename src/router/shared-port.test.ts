import { afterAll, describe, expect, it } from "vitest";
import { createRouter, type Router } from "./index.js";
import { routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";

describe("routers sharing one port (reusePort)", () => {
  const routers: Router[] = [];
  let upstream: TestUpstream | undefined;

  afterAll(async () => {
    await Promise.all(routers.map((router) => router.close()));
    await upstream?.close();
  });

  it("lets a second router listen on the first one's port, and both serve", async () => {
    upstream = await startUpstream("web-1");
    const first = createRouter({ port: 0, reusePort: true });
    routers.push(first);
    first.setRoutes([routeFor("web", [upstream])]);
    const { url } = await first.listen();
    const port = Number(new URL(url).port);
    const second = createRouter({ port, reusePort: true });
    routers.push(second);
    second.setRoutes([routeFor("web", [upstream])]);
    expect((await second.listen()).url).toBe(url);
    for (let i = 0; i < 20; i++) {
      expect((await send(url, { host: "web.staging.localhost" })).status).toBe(200);
    }
    // The kernel spreads fresh connections over both (all 20 on one: a 1 in 500,000 chance).
    for (const router of [first, second]) {
      expect(await router.metricsText()).toMatch(/slipway_http_requests_total\{[^}]*code_class="2xx"\} \d+/);
    }
    // Without the option, the port is taken: the error says so.
    const third = createRouter({ port });
    await expect(third.listen()).rejects.toMatchObject({ code: "EADDRINUSE" });
  });
});
