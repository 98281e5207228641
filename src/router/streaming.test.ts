import { createHash, randomBytes } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRouter } from "./index.js";
import { routeFor, startUpstream, type TestUpstream } from "./testing/upstreams.js";

/** A promise that a test resolves by hand, failing the test if nobody does in time. */
function gate(timeoutMs = 3_000) {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve, reject) => {
    open = resolve;
    setTimeout(() => reject(new Error("gate never opened: something buffered the stream")), timeoutMs);
  });
  opened.catch(() => undefined);
  return { open, opened };
}

const bigPayload = randomBytes(4 * 1024 * 1024);
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("streaming through the router", () => {
  const router = createRouter({ port: 0 });
  let port = 0;
  let upstream: TestUpstream;
  const responseGate = { current: gate() };
  const requestGate = { current: gate() };

  beforeAll(async () => {
    upstream = await startUpstream("stream-1", (req, res) => {
      switch (req.url) {
        case "/chunks":
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("first;");
          void responseGate.current.opened.then(() => res.end("second"));
          return;
        case "/events":
          res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
          res.flushHeaders();
          void responseGate.current.opened.then(() => {
            res.write("event: tick\ndata: 1\n\n");
            void requestGate.current.opened.then(() => res.end("event: tick\ndata: 2\n\n"));
          });
          return;
        case "/upload": {
          const hash = createHash("sha256");
          let first = true;
          req.on("data", (chunk: Buffer) => {
            hash.update(chunk);
            if (first) {
              first = false;
              requestGate.current.open();
            }
          });
          req.on("end", () => res.end(hash.digest("hex")));
          return;
        }
        case "/download":
          res.end(bigPayload);
          return;
        case "/reset-midway":
          res.writeHead(200, { "content-type": "text/plain" });
          res.write("partial");
          setTimeout(() => res.socket?.destroy(), 50);
          return;
      }
    });
    router.setRoutes([routeFor("stream", [upstream])]);
    port = Number(new URL((await router.listen()).url).port);
  });

  afterAll(async () => {
    await router.close();
    await upstream.close();
  });

  const open = (path: string, method = "GET") =>
    request({
      host: "127.0.0.1",
      port,
      path,
      method,
      headers: { host: "stream.staging.localhost" },
      agent: false,
    });

  it("delivers response chunks before the upstream has finished", async () => {
    responseGate.current = gate();
    const outgoing = open("/chunks");
    const body = await new Promise<string>((resolve, reject) => {
      outgoing.on("response", (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          // Only once the first chunk arrived does the upstream get to finish.
          responseGate.current.open();
        });
        response.on("end", () => resolve(text));
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
    expect(body).toBe("first;second");
  });

  it("passes server-sent events through unbuffered, head first", async () => {
    responseGate.current = gate();
    requestGate.current = gate();
    const outgoing = open("/events");
    const events = await new Promise<string>((resolve, reject) => {
      outgoing.on("response", (response) => {
        expect(response.headers["content-type"]).toBe("text/event-stream");
        // The head arrived although the upstream has not written a single event yet.
        responseGate.current.open();
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes("data: 1\n\n")) {
            requestGate.current.open();
          }
        });
        response.on("end", () => resolve(text));
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
    expect(events).toBe("event: tick\ndata: 1\n\nevent: tick\ndata: 2\n\n");
  });

  it("streams a request body upstream before the client has finished sending it", async () => {
    requestGate.current = gate();
    const outgoing = open("/upload", "POST");
    const answer = new Promise<string>((resolve, reject) => {
      outgoing.on("response", (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () => resolve(text));
      });
      outgoing.on("error", reject);
    });
    outgoing.write(bigPayload.subarray(0, 1024));
    await requestGate.current.opened;
    outgoing.end(bigPayload.subarray(1024));
    expect(await answer).toBe(sha256(bigPayload));
  });

  it("relays a large response byte for byte", async () => {
    const received = await new Promise<Buffer>((resolve, reject) => {
      const outgoing = open("/download");
      outgoing.on("response", (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve(Buffer.concat(chunks)));
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
    expect(sha256(received)).toBe(sha256(bigPayload));
  });

  it("destroys the client connection when the upstream resets mid-response", async () => {
    const outcome = await new Promise<string>((resolve) => {
      const outgoing = open("/reset-midway");
      outgoing.on("response", (response) => {
        let text = "";
        response.on("data", (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on("end", () => resolve(`ended cleanly after ${text}`));
        response.on("aborted", () => resolve(`aborted after ${text}`));
        response.on("error", () => resolve(`aborted after ${text}`));
      });
      outgoing.on("error", () => resolve("request error"));
      outgoing.end();
    });
    expect(outcome).toBe("aborted after partial");
    expect(router.outstanding("stream-1")).toBe(0);
    expect(await router.metricsText()).toContain(
      'slipway_router_errors_total{service="stream",environment="staging",reason="upstream_reset"} 1',
    );
  });
});
