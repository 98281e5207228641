import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { createRouter } from "./index.js";
import {
  deadUpstreamUrl,
  eventually,
  routeFor,
  startUpstream,
  type TestUpstream,
} from "./testing/upstreams.js";

describe("WebSocket upgrades through the router", () => {
  const router = createRouter({ port: 0 });
  let url = "";
  let upstream: TestUpstream;
  let handshake: IncomingMessage | undefined;

  beforeAll(async () => {
    upstream = await startUpstream("ws-1", (_req, res) => res.end("plain http"));
    const sockets = new WebSocketServer({
      server: upstream.server,
      verifyClient: (info: { req: IncomingMessage }) => info.req.url !== "/forbidden",
    });
    sockets.on("connection", (socket, request) => {
      handshake = request;
      socket.on("message", (data) => socket.send(`echo: ${String(data)}`));
    });
    const dead = { id: "dead", url: await deadUpstreamUrl(), release: "v1" };
    router.setRoutes([routeFor("chat", [dead, upstream]), routeFor("empty", [])]);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
  });

  const connect = (host: string, path = "/live?room=1") => {
    const socket = new WebSocket(`${url.replace("http", "ws")}${path}`, { headers: { host } });
    // Aborting a refused handshake makes ws report an error; these tests expect the refusal.
    socket.on("error", () => undefined);
    return socket;
  };

  it("echoes messages end to end, with forwarded headers on the handshake", async () => {
    const socket = connect("chat.staging.localhost");
    await once(socket, "open");
    socket.send("hello");
    const [reply] = await once(socket, "message");
    expect(String(reply)).toBe("echo: hello");
    expect(handshake?.url).toBe("/live?room=1");
    expect(handshake?.headers["x-forwarded-for"]).toBe("127.0.0.1");
    expect(handshake?.headers["x-forwarded-host"]).toBe("chat.staging.localhost");

    // An open tunnel is an outstanding request, so a drain waits for it.
    expect(router.outstanding("ws-1")).toBe(1);
    socket.close();
    await once(socket, "close");
    await eventually(() => router.outstanding("ws-1") === 0);
  });

  it("passes on the upstream's refusal of the handshake", async () => {
    const socket = connect("chat.staging.localhost", "/forbidden");
    const [, response] = (await once(socket, "unexpected-response")) as [unknown, IncomingMessage];
    expect(response.statusCode).toBe(401);
    socket.terminate();
    await eventually(() => router.outstanding("ws-1") === 0);
  });

  it("answers 404 and 503 for upgrades as for any request", async () => {
    for (const [host, status, reason] of [
      ["nobody.example", 404, "no_route"],
      ["empty.staging.localhost", 503, "no_ready_replica"],
    ] as const) {
      const socket = connect(host);
      const [, response] = (await once(socket, "unexpected-response")) as [unknown, IncomingMessage];
      expect(response.statusCode).toBe(status);
      expect(response.headers["x-slipway-router-error"]).toBe(reason);
      socket.terminate();
    }
  });

  it("counts the handshake in the metrics, as a 1xx", async () => {
    const text = await router.metricsText();
    expect(text).toMatch(
      /slipway_http_requests_total\{service="chat",environment="staging",release="v1",code_class="1xx"\} 1/,
    );
    expect(text).toContain('slipway_http_requests_in_flight{service="chat",environment="staging"} 0');
  });
});
