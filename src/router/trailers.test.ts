import { once } from "node:events";
import { request } from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { routeFor, startUpstream, type TestUpstream } from "./testing/upstreams.js";

describe("trailers of chunked bodies", () => {
  const router = createRouter({ port: 0 });
  let port = 0;
  let upstream: TestUpstream;

  beforeAll(async () => {
    upstream = await startUpstream("web-1", (req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "text/plain", trailer: "x-checksum" });
        res.write("part one, ");
        res.write("part two");
        res.addTrailers({
          "x-checksum": "sha256=abc",
          "x-seen-trailer": req.trailers["x-upload-digest"] ?? "none",
        });
        res.end();
      });
    });
    router.setRoutes([routeFor("web", [upstream])]);
    port = Number(new URL((await router.listen()).url).port);
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
  });

  it("passes the client's trailers upstream and the upstream's back, minus hop-by-hop ones", async () => {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    socket.write(
      "POST /upload HTTP/1.1\r\nHost: web.staging.localhost\r\nTransfer-Encoding: chunked\r\n" +
        "Trailer: x-upload-digest\r\n\r\n5\r\nhello\r\n0\r\nX-Upload-Digest: md5=xyz\r\nKeep-Alive: timeout=1\r\n\r\n",
    );
    while (!text.endsWith("\r\n\r\n") || !text.includes("\r\n0\r\n")) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    socket.destroy();
    const [head, ...rest] = text.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 200 /);
    expect(head?.toLowerCase()).toContain("transfer-encoding: chunked");
    expect(head?.toLowerCase()).toContain("trailer: x-checksum");
    const body = rest.join("\r\n\r\n");
    expect(body).toContain("part one, ");
    // The last chunk carries both trailers; the client's Keep-Alive trailer (hop-by-hop) stayed behind.
    const trailerBlock = body.slice(body.lastIndexOf("\r\n0\r\n") + 5);
    expect(trailerBlock.toLowerCase()).toContain("x-checksum: sha256=abc");
    expect(trailerBlock.toLowerCase()).toContain("x-seen-trailer: md5=xyz");
    expect(trailerBlock.toLowerCase()).not.toContain("keep-alive");
  });

  it("gives node:http clients the trailers as response.trailers", async () => {
    const trailers = await new Promise<NodeJS.Dict<string>>((resolve, reject) => {
      const outgoing = request(
        { host: "127.0.0.1", port, path: "/", headers: { host: "web.staging.localhost" }, agent: false },
        (response) => {
          response.resume();
          response.on("end", () => resolve(response.trailers));
        },
      );
      outgoing.on("error", reject);
      outgoing.end();
    });
    expect(trailers["x-checksum"]).toBe("sha256=abc");
  });
});
