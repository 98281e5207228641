import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { type EchoedRequest, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";

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

// The router relays Content-Length bodies itself rather than through llhttp's body callback
// (upstream-connection.ts, client-connection.ts): these are the cases where that could lose its
// place in the stream.
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

/** Writes `pieces` on one connection, `pauseMs` apart, and collects what comes back until `expectedAnswers`. */
async function converse(
  port: number,
  pieces: string[],
  pauseMs: number,
  expectedAnswers: number,
): Promise<string> {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  let text = "";
  const answered = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
      // The echo replica answers chunked: each answer ends with the last chunk.
      if (text.split("\r\n0\r\n\r\n").length - 1 >= expectedAnswers) {
        resolve();
      }
    });
    socket.on("error", reject);
  });
  for (const piece of pieces) {
    socket.write(piece);
    await sleep(pauseMs);
  }
  await answered;
  socket.destroy();
  return text;
}

describe("requests with a Content-Length body", () => {
  const router = createRouter({ port: 0 });
  let port = 0;
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startUpstream("echo-1");
    router.setRoutes([routeFor("echo", [upstream])]);
    port = Number(new URL((await router.listen()).url).port);
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
  });

  const bodies = (text: string) =>
    [...text.matchAll(/\{"upstream".*?\}\r\n/g)].map((match) => (JSON.parse(match[0]) as EchoedRequest).body);

  it("relays a body sent in pieces, head and body split anywhere", async () => {
    const request =
      "POST /a HTTP/1.1\r\nHost: echo.staging.localhost\r\nContent-Length: 11\r\n\r\nhello world";
    const split = request.length - 8;
    const text = await converse(
      port,
      [request.slice(0, split), request.slice(split, -3), request.slice(-3)],
      10,
      1,
    );
    expect(bodies(text)).toEqual(["hello world"]);
  });

  it("parses the request that follows a body in the same write, and answers both in order", async () => {
    const first = "POST /a HTTP/1.1\r\nHost: echo.staging.localhost\r\nContent-Length: 5\r\n\r\nfirst";
    const second = "PUT /b HTTP/1.1\r\nHost: echo.staging.localhost\r\nContent-Length: 6\r\n\r\nsecond";
    const third = "GET /c HTTP/1.1\r\nHost: echo.staging.localhost\r\n\r\n";
    const text = await converse(port, [first + second + third], 0, 3);
    expect(bodies(text)).toEqual(["first", "second", ""]);
  });
});
