import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { routeFor, startUpstream, type TestUpstream } from "./testing/upstreams.js";

/** A raw client connection that collects what the router writes and notes when it closes. */
async function open(port: number): Promise<{ socket: Socket; text: () => string; closed: Promise<number> }> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  let text = "";
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
  });
  socket.on("error", () => undefined);
  const openedAt = Date.now();
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(Date.now() - openedAt)));
  return { socket, text: () => text, closed };
}

describe("client connection time limits", () => {
  const router = createRouter({
    port: 0,
    timeouts: { keepAliveTimeoutMs: 300, headersTimeoutMs: 400, bodyIdleTimeoutMs: 400 },
  });
  let port = 0;
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startUpstream("web-1");
    router.setRoutes([routeFor("web", [upstream])]);
    port = Number(new URL((await router.listen()).url).port);
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
  });

  it("closes a keep-alive connection that stays idle past keepAliveTimeoutMs", async () => {
    const client = await open(port);
    client.socket.write("GET / HTTP/1.1\r\nHost: web.staging.localhost\r\n\r\n");
    const lived = await client.closed;
    expect(client.text()).toMatch(/^HTTP\/1\.1 200 /);
    expect(lived).toBeGreaterThanOrEqual(300);
    expect(lived).toBeLessThan(2_000);
  });

  it("answers 408 and closes when a request head trickles in too slowly (slowloris)", async () => {
    const client = await open(port);
    client.socket.write("GET / HTTP/1.1\r\nHost: web.staging.localhost\r\n");
    const dribble = setInterval(() => client.socket.write("X-Slow: 1\r\n"), 100);
    const lived = await client.closed;
    clearInterval(dribble);
    expect(client.text()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(client.text()).toContain("application/problem+json");
    expect(lived).toBeGreaterThanOrEqual(400);
    expect(upstream.hits).toBe(1);
  });

  it("cuts an upload that stops sending, but not one that keeps moving", async () => {
    const moving = await open(port);
    moving.socket.write(
      "POST / HTTP/1.1\r\nHost: web.staging.localhost\r\nContent-Length: 10\r\nConnection: close\r\n\r\n",
    );
    // Ten bytes, one every 100 ms: a whole second, longer than the 400 ms idle limit.
    for (let i = 0; i < 10; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      moving.socket.write("x");
    }
    await moving.closed;
    expect(moving.text()).toMatch(/^HTTP\/1\.1 200 /);
    expect(moving.text()).toContain('"body":"xxxxxxxxxx"');

    const stalled = await open(port);
    stalled.socket.write("POST / HTTP/1.1\r\nHost: web.staging.localhost\r\nContent-Length: 10\r\n\r\nxx");
    const lived = await stalled.closed;
    expect(lived).toBeGreaterThanOrEqual(400);
    expect(lived).toBeLessThan(2_000);
  });
});
