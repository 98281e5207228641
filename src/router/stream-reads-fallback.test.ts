/**
 * The router on Node versions without net.Socket's private `onread` slots: client connections
 * then read through ordinary 'data' events. The same requests must work either way.
 */
import { createHash } from "node:crypto";
import { once } from "node:events";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { createRouter } from "./index.js";
import { type EchoedRequest, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";
import { userBufferReads } from "./user-buffer-reads.js";

describe("client reads through 'data' events (the fallback)", () => {
  userBufferReads.enabled = false;
  const router = createRouter({ port: 0 });
  let url = "";
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startUpstream("web-1");
    const sockets = new WebSocketServer({ server: upstream.server });
    sockets.on("connection", (socket) =>
      socket.on("message", (data) => socket.send(`echo: ${String(data)}`)),
    );
    router.setRoutes([routeFor("web", [upstream])]);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
    userBufferReads.enabled = true;
  });

  it("proxies a GET and a POST with a 2 MiB body intact", async () => {
    expect((await send(url, { host: "web.staging.localhost", path: "/x?y=1" })).status).toBe(200);
    const body = "0123456789abcdef".repeat(128 * 1024);
    const response = await send(url, { host: "web.staging.localhost", method: "POST", body });
    const echoed = JSON.parse(response.body) as EchoedRequest;
    const hash = (text: string) => createHash("sha256").update(text).digest("hex");
    expect(hash(echoed.body)).toBe(hash(body));
  });

  it("answers two pipelined requests in order", async () => {
    const port = Number(new URL(url).port);
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    const head = (path: string) => `GET ${path} HTTP/1.1\r\nHost: web.staging.localhost\r\n\r\n`;
    socket.write(head("/first") + head("/second"));
    while (!(text.includes('"url":"/first"') && text.includes('"url":"/second"'))) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(text.indexOf('"url":"/first"')).toBeLessThan(text.indexOf('"url":"/second"'));
    socket.destroy();
  });

  it("tunnels a WebSocket", async () => {
    const socket = new WebSocket(`${url.replace("http", "ws")}/live`, {
      headers: { host: "web.staging.localhost" },
    });
    await once(socket, "open");
    socket.send("hi");
    const [reply] = await once(socket, "message");
    expect(String(reply)).toBe("echo: hi");
    socket.close();
  });
});
