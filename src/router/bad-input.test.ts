import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { type EchoedRequest, routeFor, send, startUpstream, type TestUpstream } from "./testing/upstreams.js";

/** Sends raw bytes on a fresh connection and returns everything the router says before closing. */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(bytes));
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("latin1");
    });
    socket.on("close", () => resolve(text));
    socket.on("error", reject);
    socket.setTimeout(3_000, () => {
      socket.destroy();
      resolve(`${text}[timed out]`);
    });
  });
}

describe("bad input never crashes the router", () => {
  const router = createRouter({ port: 0 });
  let url = "";
  let port = 0;
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startUpstream("web-1");
    router.setRoutes([routeFor("web", [upstream])]);
    ({ url } = await router.listen());
    port = Number(new URL(url).port);
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
    // Whatever came before, the router is still serving.
  });

  const request = (head: string) => raw(port, `${head}\r\nConnection: close\r\n\r\n`);

  it.each([
    ["a space", "GET / HTTP/1.1\r\nHost: bad host"],
    ["a slash", "GET / HTTP/1.1\r\nHost: a/b"],
    ["a userinfo part", "GET / HTTP/1.1\r\nHost: user@web.staging.localhost"],
    ["a port that is not a number", "GET / HTTP/1.1\r\nHost: web.staging.localhost:http"],
    ["no host at all (HTTP/1.0)", "GET / HTTP/1.0"],
    ["a non-path target", "OPTIONS * HTTP/1.1\r\nHost: web.staging.localhost"],
  ])("answers 400 for a request with %s", async (_case, head) => {
    const answer = await request(head);
    expect(answer).toMatch(/^HTTP\/1\.[01] 400 /);
    expect(answer).toContain("x-slipway-router-error: bad_request");
    expect(answer).toContain("application/problem+json");
  });

  it("answers 400 to bytes that are not HTTP", async () => {
    const answer = await raw(port, Buffer.from([0, 1, 2, 3, 0x0d, 0x0a, 0x0d, 0x0a]));
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain('"reason":"bad_request"');
  });

  it("answers 431 to headers that are too large", async () => {
    const answer = await request(
      `GET / HTTP/1.1\r\nHost: web.staging.localhost\r\nX-Big: ${"a".repeat(20_000)}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain("x-slipway-router-error: headers_too_large");
  });

  it("clips an absurdly long path in the 404 detail", async () => {
    const path = `/${"very-long-segment/".repeat(500)}`;
    const response = await send(url, { host: "nobody.example", path });
    expect(response.status).toBe(404);
    expect(JSON.parse(response.body).detail.length).toBeLessThan(500);
  });

  it("forwards odd but legal paths untouched", async () => {
    for (const path of ["//double//slashes", "/%00%ff/..%2f", "/a/../b", "/caf\u00e9"]) {
      const response = await send(url, { host: "web.staging.localhost", path: encodeURI(path) });
      expect(response.status, path).toBe(200);
      expect((JSON.parse(response.body) as EchoedRequest).url).toBe(encodeURI(path));
    }
  });

  it("serves a non-WebSocket Upgrade request as plain HTTP, Upgrade stripped", async () => {
    const response = await send(url, {
      host: "web.staging.localhost",
      headers: { connection: "upgrade", upgrade: "h2c" },
    });
    expect(response.status).toBe(200);
    expect((JSON.parse(response.body) as EchoedRequest).headers.upgrade).toBeUndefined();
  });

  it.each([
    [
      "a declined protocol switch",
      "GET / HTTP/1.1\r\nHost: web.staging.localhost\r\nConnection: upgrade\r\nUpgrade: h2c",
    ],
    ["a request body", "POST / HTTP/1.1\r\nHost: web.staging.localhost\r\nContent-Length: 4\r\n\r\nbody"],
  ])("answers the request, then 400 to bytes that are not HTTP right after %s", async (_case, first) => {
    // llhttp reports such bytes as "none consumed" rather than as an error: the router once
    // spun on them forever.
    const tail = first.endsWith("body") ? "" : "\r\n\r\n";
    const answer = await raw(port, `${first}${tail}\u0000\u0001 not http\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\n\r\n[\s\S]*HTTP\/1\.1 400 [\s\S]*malformed HTTP request/);
    expect(answer).not.toContain("[timed out]");
  });

  it("still serves normal requests after all that", async () => {
    const response = await send(url, { host: "web.staging.localhost" });
    expect(response.status).toBe(200);
    expect(await router.metricsText()).toMatch(
      /slipway_router_errors_total\{service="",environment="",reason="bad_request"\} \d+/,
    );
  });
});
