import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { eventually, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";

const web = 'service="web",environment="staging"';

describe("request metrics", () => {
  const router = createRouter({ port: 0 });
  let url = "";
  let upstream: TestUpstream;
  let upstreamAborts = 0;
  let releaseHeld: () => void = () => undefined;

  beforeAll(async () => {
    upstream = await startUpstream(
      "web-1",
      (req, res) => {
        req.on("close", () => {
          if (!res.writableFinished) {
            upstreamAborts++;
          }
        });
        if (req.url === "/held") {
          releaseHeld = () => res.end("released");
          return;
        }
        if (req.url === "/slow") {
          setTimeout(() => res.end("slow"), 60);
          return;
        }
        req.resume();
        req.on("end", () => {
          res.statusCode = req.url === "/missing" ? 404 : req.url === "/broken" ? 500 : 200;
          res.end("x");
        });
      },
      "v7",
    );
    router.setRoutes([routeFor("web", [upstream]), routeFor("empty", [])]);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
  });

  it("counts requests by status class and times them, per service, environment and release", async () => {
    for (const path of ["/", "/a", "/slow", "/missing", "/broken"]) {
      await send(url, { host: "web.staging.localhost", path });
    }
    await send(url, { host: "unknown.example", path: "/anything" });
    await send(url, { host: "empty.staging.localhost" });

    const text = await router.metricsText();
    expect(text).toContain("# TYPE slipway_http_requests_total counter");
    expect(text).toContain(`slipway_http_requests_total{${web},release="v7",code_class="2xx"} 3`);
    expect(text).toContain(`slipway_http_requests_total{${web},release="v7",code_class="4xx"} 1`);
    expect(text).toContain(`slipway_http_requests_total{${web},release="v7",code_class="5xx"} 1`);
    // Unknown hosts all land in one series, never one per host.
    expect(text).toContain(
      'slipway_http_requests_total{service="",environment="",release="",code_class="4xx"} 1',
    );
    expect(text).not.toContain("unknown.example");
    expect(text).toContain(
      'slipway_http_requests_total{service="empty",environment="staging",release="",code_class="5xx"} 1',
    );

    expect(text).toContain("# TYPE slipway_http_request_duration_seconds histogram");
    expect(text).toContain(`slipway_http_request_duration_seconds_count{${web},release="v7"} 5`);
    const sampleValue = (prefix: string) =>
      Number(
        text
          .split("\n")
          .find((l) => l.startsWith(prefix))
          ?.split(" ")[1],
      );
    const bucket = (le: string) =>
      sampleValue(`slipway_http_request_duration_seconds_bucket{le="${le}",${web},`);
    const bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"];
    const counts = bounds.map(bucket);
    expect(counts.every((count, index) => index === 0 || count >= (counts[index - 1] ?? 0))).toBe(true);
    expect(bucket("+Inf")).toBe(5);
    // The 60 ms request cannot be in the 50 ms bucket, and the sum holds at least its 60 ms.
    expect(bucket("0.05")).toBeLessThanOrEqual(4);
    expect(sampleValue(`slipway_http_request_duration_seconds_sum{${web},`)).toBeGreaterThanOrEqual(0.06);

    expect(text).toContain('slipway_router_errors_total{service="",environment="",reason="no_route"} 1');
    expect(text).toContain(
      'slipway_router_errors_total{service="empty",environment="staging",reason="no_ready_replica"} 1',
    );
  });

  it("shows requests in flight while they are", async () => {
    const held = send(url, { host: "web.staging.localhost", path: "/held" });
    await eventually(() => router.outstanding("web-1") === 1);
    expect(await router.metricsText()).toContain(`slipway_http_requests_in_flight{${web}} 1`);
    releaseHeld();
    await held;
    await eventually(() => router.outstanding("web-1") === 0);
    expect(await router.metricsText()).toContain(`slipway_http_requests_in_flight{${web}} 0`);
  });

  it("does not leak in-flight counts when the client aborts while waiting", async () => {
    const before = upstreamAborts;
    const outgoing = request({
      host: "127.0.0.1",
      port: new URL(url).port,
      path: "/held",
      headers: { host: "web.staging.localhost" },
      agent: false,
    });
    outgoing.on("error", () => undefined);
    outgoing.end();
    await eventually(() => router.outstanding("web-1") === 1);
    outgoing.destroy();
    await eventually(() => router.outstanding("web-1") === 0);
    // The upstream request was cancelled too, not left running for nobody.
    await eventually(() => upstreamAborts === before + 1);
    const text = await router.metricsText();
    expect(text).toContain(`slipway_http_requests_in_flight{${web}} 0`);
  });

  it("does not leak in-flight counts when the client aborts mid-body", async () => {
    const before = upstreamAborts;
    const outgoing = request({
      host: "127.0.0.1",
      port: new URL(url).port,
      method: "POST",
      path: "/upload",
      headers: { host: "web.staging.localhost", "content-length": "100000" },
      agent: false,
    });
    outgoing.on("error", () => undefined);
    outgoing.write("x".repeat(1000));
    await eventually(() => router.outstanding("web-1") === 1);
    outgoing.destroy();
    await eventually(() => router.outstanding("web-1") === 0);
    await eventually(() => upstreamAborts === before + 1);
    expect(await router.metricsText()).toContain(`slipway_http_requests_in_flight{${web}} 0`);
  });

  it("keeps each router's metrics in its own registry", async () => {
    const other = createRouter({ port: 0 });
    const text = await other.metricsText();
    expect(text).toContain("# TYPE slipway_http_requests_total counter");
    expect(text).not.toContain('service="web"');
    await other.close();
  });
});

describe("series of releases that left the routes", () => {
  it("are kept for the grace period, then dropped so deploys do not add series forever", async () => {
    const v1 = await startUpstream("web-1", undefined, "v1");
    const v2 = await startUpstream("web-2", undefined, "v2");
    const router = createRouter({ port: 0, retiredSeriesTtlMs: 150 });
    try {
      router.setRoutes([routeFor("web", [v1])]);
      const { url } = await router.listen();
      expect((await send(url, { host: "web.staging.localhost" })).status).toBe(200);
      router.setRoutes([routeFor("web", [v2])]);
      expect((await send(url, { host: "web.staging.localhost" })).status).toBe(200);
      let text = await router.metricsText();
      expect(text).toContain('release="v1"');
      expect(text).toContain('release="v2"');
      await new Promise((resolve) => setTimeout(resolve, 200));
      text = await router.metricsText();
      expect(text).not.toContain('release="v1"');
      expect(text).toMatch(/slipway_http_requests_total\{[^}]*release="v2"[^}]*\} 1/);
    } finally {
      await router.close();
      await v1.close();
      await v2.close();
    }
  });
});
