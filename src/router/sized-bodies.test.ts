import { once } from "node:events";
import { type AddressInfo, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { routeFor, send } from "./testing/upstreams.js";

/**
 * A keep-alive replica stand-in that writes each answer with the given writer (raw bytes, in
 * as many pieces as it likes) and counts the connections it was given.
 */
async function scriptedReplica(
  answer: (socket: Socket, request: number) => Promise<void>,
): Promise<{ server: Server; url: string; connections: () => number }> {
  let connections = 0;
  let requests = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on("error", () => undefined);
    socket.on("data", () => void answer(socket, ++requests));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, url, connections: () => connections };
}

// The router relays a Content-Length body itself rather than through llhttp's body callback
// (upstream-connection.ts): these are the cases where that could lose its place in the stream.
describe("responses with a Content-Length body", () => {
  const router = createRouter({ port: 0 });
  let url = "";
  const replicas: Server[] = [];
  let piecewise: Awaited<ReturnType<typeof scriptedReplica>>;
  let trailing: Awaited<ReturnType<typeof scriptedReplica>>;

  beforeAll(async () => {
    // Head and body in separate writes, the body itself in three, the next answer on the same connection.
    piecewise = await scriptedReplica(async (socket, request) => {
      const body = `answer ${request}: ${"x".repeat(3000)}`;
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n`);
      for (const piece of [body.slice(0, 10), body.slice(10, 2000), body.slice(2000)]) {
        await sleep(5);
        socket.write(piece);
      }
    });
    // Bytes that are not HTTP right after a complete answer.
    trailing = await scriptedReplica(async (socket) => {
      socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\u0000\u0001 not http\r\n\r\n");
    });
    replicas.push(piecewise.server, trailing.server);
    router.setRoutes([
      routeFor("piecewise", [{ id: "piecewise-1", url: piecewise.url, release: "v1" }]),
      routeFor("trailing", [{ id: "trailing-1", url: trailing.url, release: "v1" }]),
    ]);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    for (const server of replicas) {
      server.close();
    }
  });

  it("relays a body that arrives in pieces, and the next response on the same connection", async () => {
    const first = await send(url, { host: "piecewise.staging.localhost" });
    const second = await send(url, { host: "piecewise.staging.localhost" });
    expect([first.status, first.body.slice(0, 10), first.body.length]).toEqual([200, "answer 1: ", 3010]);
    expect([second.status, second.body.slice(0, 10), second.body.length]).toEqual([200, "answer 2: ", 3010]);
    expect(piecewise.connections()).toBe(1);
  });

  it("answers in full, then drops a connection whose replica sent bytes after the body", async () => {
    const first = await send(url, { host: "trailing.staging.localhost" });
    const second = await send(url, { host: "trailing.staging.localhost" });
    expect([first.status, first.body, second.status, second.body]).toEqual([200, "ok", 200, "ok"]);
    // The stray bytes made the first connection unusable: the second answer came on a new one.
    expect(trailing.connections()).toBe(2);
    expect(router.outstanding("trailing-1")).toBe(0);
  });
});
