import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serializeRequestHead, upstreamRequestHeaders } from "./forwarded-headers.js";
import { createRouter } from "./index.js";
import { readRequestHead } from "./request-head.js";
import type { RequestTarget } from "./request-target.js";
import { type EchoedRequest, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";

describe("headers on the way through", () => {
  const router = createRouter({ port: 0 });
  let url = "";
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startUpstream("web-1", (req, res) => {
      if (req.url === "/hop-by-hop") {
        res.writeHead(200, {
          connection: "keep-alive, x-upstream-private",
          "keep-alive": "timeout=5",
          "x-upstream-private": "secret",
          "set-cookie": ["a=1", "b=2"],
          "x-kept": "yes",
        });
        res.end("ok");
        return;
      }
      req.resume();
      req.on("end", () => res.end(JSON.stringify({ upstream: "web-1", headers: req.headers })));
    });
    router.setRoutes([routeFor("web", [upstream])]);
    ({ url } = await router.listen());
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
  });

  const echoed = async (headers: Record<string, string>) => {
    const response = await send(url, { host: "web.staging.localhost:7480", headers });
    return { response, seen: (JSON.parse(response.body) as EchoedRequest).headers };
  };

  it("sets X-Forwarded-For/Proto/Host and keeps Host", async () => {
    const { seen } = await echoed({});
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-forwarded-host"]).toBe("web.staging.localhost:7480");
    expect(seen.host).toBe("web.staging.localhost:7480");
  });

  it("appends the client to an existing X-Forwarded-For chain", async () => {
    const { seen } = await echoed({
      "x-forwarded-for": "203.0.113.7, 10.0.0.1",
      "x-forwarded-proto": "https",
    });
    expect(seen["x-forwarded-for"]).toBe("203.0.113.7, 10.0.0.1, 127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
  });

  it("keeps a sane X-Request-Id and echoes it to the client", async () => {
    const { seen, response } = await echoed({ "x-request-id": "req-42.abc:7" });
    expect(seen["x-request-id"]).toBe("req-42.abc:7");
    expect(response.headers["x-request-id"]).toBe("req-42.abc:7");
  });

  it("replaces a missing or unsafe X-Request-Id with a fresh UUID", async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const missing = await echoed({});
    expect(missing.seen["x-request-id"]).toMatch(uuid);
    const unsafe = await echoed({ "x-request-id": "a b\tforged=1" });
    expect(unsafe.seen["x-request-id"]).toMatch(uuid);
    expect(unsafe.response.headers["x-request-id"]).toBe(unsafe.seen["x-request-id"]);
    const long = await echoed({ "x-request-id": "x".repeat(129) });
    expect(long.seen["x-request-id"]).toMatch(uuid);
  });

  it("strips hop-by-hop request headers, including those named in Connection", async () => {
    const { seen } = await echoed({
      connection: "keep-alive, x-hop",
      "keep-alive": "timeout=5",
      "x-hop": "private",
      te: "trailers",
      "proxy-authorization": "Basic c2VjcmV0",
      "proxy-connection": "keep-alive",
      "x-end-to-end": "kept",
    });
    for (const stripped of ["keep-alive", "x-hop", "te", "proxy-authorization", "proxy-connection"]) {
      expect(seen[stripped], stripped).toBeUndefined();
    }
    expect(seen["x-end-to-end"]).toBe("kept");
  });

  it("strips hop-by-hop response headers and keeps repeated ones", async () => {
    const response = await send(url, { host: "web.staging.localhost", path: "/hop-by-hop" });
    expect(response.headers["x-upstream-private"]).toBeUndefined();
    expect(response.headers["keep-alive"]).toBeUndefined();
    expect(response.headers["set-cookie"]).toEqual(["a=1", "b=2"]);
    expect(response.headers["x-kept"]).toBe("yes");
  });

  it("routes an absolute-form request target by its authority", async () => {
    const { port } = new URL(url);
    const raw = await rawExchange(
      Number(port),
      "GET http://web.staging.localhost/x HTTP/1.1\r\nHost: other\r\n\r\n",
    );
    expect(raw).toMatch(/^HTTP\/1\.1 200/);
    expect(raw).toContain('"host":"web.staging.localhost"');
  });
});

/** Writes raw bytes and reads until the server answers (or closes). */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (text.endsWith("}")) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
  });
}

const head = readRequestHead(
  {
    versionMinor: 1,
    rawHeaders: [
      "Host",
      "web.staging.localhost:7480",
      "Connection",
      "keep-alive, X-Hop",
      "X-Hop",
      "dropped",
      "X-Forwarded-For",
      "203.0.113.9",
      "Accept",
      "*/*",
      "Proxy-Authorization",
      "dropped",
    ],
    method: "GET",
    url: "/a?b=1",
    statusCode: 0,
    statusMessage: "",
    upgrade: false,
    keepAlive: true,
  },
  "::ffff:127.0.0.1",
);
const target: RequestTarget = {
  host: "web.staging.localhost",
  authority: "web.staging.localhost:7480",
  path: "/a",
  pathAndQuery: "/a?b=1",
};

describe("the request head written to a replica", () => {
  it("is the header list (as the WebSocket handshake sends it) written out", () => {
    const headers = upstreamRequestHeaders(head, target, "req-1");
    let expected = "GET /a?b=1 HTTP/1.1\r\n";
    for (let index = 0; index < headers.length; index += 2) {
      expected += `${headers[index]}: ${headers[index + 1]}\r\n`;
    }
    expect(serializeRequestHead(head, target, "req-1", "none")).toBe(`${expected}\r\n`);
    expect(headers).toEqual([
      "Accept",
      "*/*",
      "host",
      "web.staging.localhost:7480",
      "x-forwarded-for",
      "203.0.113.9, 127.0.0.1",
      "x-forwarded-proto",
      "http",
      "x-forwarded-host",
      "web.staging.localhost:7480",
      "x-request-id",
      "req-1",
    ]);
  });

  it("says a re-chunked body is chunked", () => {
    expect(serializeRequestHead(head, target, "req-1", "chunked")).toMatch(
      /\r\ntransfer-encoding: chunked\r\n\r\n$/,
    );
  });
});
