import { once } from "node:events";
import { type AddressInfo, createServer, type Server } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { routeFor, send } from "./testing/upstreams.js";

/** A replica stand-in that answers every request with the given raw bytes, then closes. */
async function rawReplica(answer: string): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => {
    socket.once("data", () => socket.end(answer, "latin1"));
    socket.on("error", () => undefined);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("replicas that answer with something that is not a proper response", () => {
  const router = createRouter({ port: 0 });
  let url = "";
  const replicas: Server[] = [];

  beforeAll(async () => {
    const cases = {
      garbage: "\u0000\u0001 not http at all\r\n\r\n",
      switching: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n",
      cut: "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b",
      huge: `HTTP/1.1 200 OK\r\nX-Big: ${"a".repeat(20_000)}\r\nContent-Length: 2\r\n\r\nok`,
    };
    const routes = [];
    for (const [name, answer] of Object.entries(cases)) {
      const replica = await rawReplica(answer);
      replicas.push(replica.server);
      routes.push(routeFor(name, [{ id: `${name}-1`, url: replica.url, release: "v1" }]));
    }
    router.setRoutes(routes);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    for (const server of replicas) {
      server.close();
    }
  });

  it.each([
    ["bytes that are not HTTP", "garbage", /invalid HTTP response \(HPE_[A-Z0-9_]+\)/],
    ["a 101 nobody asked for", "switching", /invalid HTTP response( \(HPE_[A-Z0-9_]+\))?/],
    ["response headers over 16 KiB", "huge", /invalid HTTP response: its headers exceed 16 KiB/],
  ])("answers 502 naming the replica and what was wrong for %s", async (_case, service, what) => {
    const response = await send(url, { host: `${service}.staging.localhost` });
    expect(response.status).toBe(502);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(JSON.parse(response.body).detail).toMatch(
      new RegExp(`^upstream ${service}-1 of ${service} failed: ${what.source}$`),
    );
  });

  it("cuts the client off when the body stops short, rather than pass a truncated one as whole", async () => {
    await expect(send(url, { host: "cut.staging.localhost" })).rejects.toThrow();
    expect(await router.metricsText()).toMatch(
      /slipway_router_errors_total\{service="cut",environment="staging",reason="upstream_reset"\} 1/,
    );
  });

  it("keeps serving after all of them", async () => {
    const response = await send(url, { host: "garbage.staging.localhost" });
    expect(response.status).toBe(502);
    expect(router.outstanding("garbage-1")).toBe(0);
    expect(router.outstanding("cut-1")).toBe(0);
  });
});
