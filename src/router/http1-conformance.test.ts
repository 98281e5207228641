/**
 * Black-box HTTP/1.1 conformance of the router (RFC 9110 / RFC 9112), as a mature reverse proxy
 * behaves: framing, persistence, pipelining, interim responses, smuggling defences and header
 * hygiene. Everything goes over real sockets on 127.0.0.1, byte for byte where framing matters,
 * so the same file can check any data plane behind `createRouter`.
 */
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import type { ServerResponse } from "node:http";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRouter, type Upstream } from "./index.js";
import { type EchoedRequest, echo, eventually, routeFor, send, startUpstream } from "./testing/upstreams.js";

const host = "web.staging.localhost";
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One response as it came off the wire. */
interface WireResponse {
  version: string;
  status: number;
  /** Header lines in order, names as sent. */
  headers: [string, string][];
  body: Buffer;
}

/** Every value of a header, in order, one per header line (names compared case-insensitively). */
function headerValues(response: WireResponse, name: string): string[] {
  const wanted = name.toLowerCase();
  return response.headers.filter(([key]) => key.toLowerCase() === wanted).map(([, value]) => value);
}

/** The only value of a header, or undefined; fails when the header is repeated. */
function header(response: WireResponse, name: string): string | undefined {
  const values = headerValues(response, name);
  expect(values.length, `${name} appears ${values.length} times`).toBeLessThanOrEqual(1);
  return values[0];
}

/** The connection tokens of a response, lower-cased (`Connection: Keep-Alive, x` → keep-alive, x). */
function connectionTokens(response: WireResponse): string[] {
  return headerValues(response, "connection").flatMap((value) =>
    value.split(",").map((token) => token.trim().toLowerCase()),
  );
}

/**
 * A client on a raw TCP connection: writes exactly the bytes it is given and parses what comes
 * back per RFC 9112 §6.3 (no body for HEAD, 1xx, 204, 304; chunked; Content-Length; or until close).
 */
class WireClient {
  /** Set once the router ended or reset the connection. */
  ended = false;
  readonly closed: Promise<void>;
  private chunks: Buffer[] = [];
  private length = 0;
  private wake: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on("data", (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.wake?.();
    });
    const finish = () => {
      this.ended = true;
      this.wake?.();
    };
    socket.on("end", finish);
    // A reset after the answer (the router closing with unread bytes) still ends the connection.
    socket.on("error", finish);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
  }

  static async open(port: number): Promise<WireClient> {
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    const client = new WireClient(socket);
    clients.push(client);
    return client;
  }

  write(bytes: string | Buffer): void {
    this.socket.write(bytes);
  }

  /** Bytes received but not read as part of a response yet. */
  get unread(): number {
    return this.length;
  }

  /** The next response (interim ones included), framed as a client that sent `method` must. */
  async next(method = "GET", timeoutMs = 2_000): Promise<WireResponse> {
    const head = (await this.readUntil("\r\n\r\n", timeoutMs)).toString("latin1");
    const [statusLine = "", ...lines] = head.slice(0, -4).split("\r\n");
    const match = /^(HTTP\/\d\.\d) (\d{3})(?: .*)?$/.exec(statusLine);
    if (match === null) {
      throw new Error(`not an HTTP status line: ${JSON.stringify(statusLine)}`);
    }
    const headers = lines.map((line): [string, string] => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    const response: WireResponse = {
      version: match[1] ?? "",
      status: Number(match[2]),
      headers,
      body: Buffer.alloc(0),
    };
    if (response.status < 200 || response.status === 204 || response.status === 304 || method === "HEAD") {
      return response;
    }
    const transferEncoding = headerValues(response, "transfer-encoding").join(",").toLowerCase();
    const contentLength = headerValues(response, "content-length");
    if (transferEncoding.includes("chunked")) {
      response.body = await this.readChunked(timeoutMs);
    } else if (contentLength.length > 0) {
      response.body = await this.readExactly(Number(contentLength[0]), timeoutMs);
    } else {
      response.body = await this.readToClose(timeoutMs);
    }
    return response;
  }

  /** The next final response, with the interim (1xx) ones that came before it. */
  async final(method = "GET", timeoutMs = 2_000): Promise<WireResponse & { interim: number[] }> {
    const interim: number[] = [];
    for (;;) {
      const response = await this.next(method, timeoutMs);
      if (response.status >= 200) {
        return { ...response, interim };
      }
      interim.push(response.status);
    }
  }

  /** Waits for the router to close the connection; fails if it does not within `timeoutMs`. */
  async expectClosed(timeoutMs = 1_000): Promise<void> {
    await this.waitFor(() => this.ended, "the connection to close", timeoutMs, true);
  }

  /** Resolves whether the connection is still open after `ms` (and nothing unexpected arrived). */
  async openAfter(ms: number): Promise<boolean> {
    await pause(ms);
    return !this.ended;
  }

  private async readChunked(timeoutMs: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const sizeLine = (await this.readUntil("\r\n", timeoutMs)).toString("latin1");
      const size = Number.parseInt(sizeLine, 16);
      if (Number.isNaN(size)) {
        throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)}`);
      }
      if (size === 0) {
        // Trailer section, up to the empty line.
        while ((await this.readUntil("\r\n", timeoutMs)).length > 2) {}
        return Buffer.concat(parts);
      }
      const chunk = await this.readExactly(size + 2, timeoutMs);
      expect(chunk.subarray(size).toString("latin1"), "chunk data ends with CRLF").toBe("\r\n");
      parts.push(chunk.subarray(0, size));
    }
  }

  private compact(): Buffer {
    const all = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks);
    this.chunks = [all];
    return all;
  }

  private take(count: number): Buffer {
    const all = this.compact();
    const taken = all.subarray(0, count);
    this.chunks = count < all.length ? [all.subarray(count)] : [];
    this.length -= count;
    return taken;
  }

  private async readUntil(delimiter: string, timeoutMs: number): Promise<Buffer> {
    let end = -1;
    await this.waitFor(
      () => {
        end = this.length === 0 ? -1 : this.compact().indexOf(delimiter, 0, "latin1");
        return end !== -1;
      },
      JSON.stringify(delimiter),
      timeoutMs,
    );
    return this.take(end + delimiter.length);
  }

  private async readExactly(count: number, timeoutMs: number): Promise<Buffer> {
    await this.waitFor(() => this.length >= count, `${count} bytes`, timeoutMs);
    return this.take(count);
  }

  private async readToClose(timeoutMs: number): Promise<Buffer> {
    await this.waitFor(() => this.ended, "the close that ends the body", timeoutMs, true);
    return this.take(this.length);
  }

  private async waitFor(check: () => boolean, what: string, timeoutMs: number, endIsFine = false) {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.ended && !endIsFine) {
        throw new Error(`connection closed while waiting for ${what} (${this.length} bytes unread)`);
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.length === 0 ? "" : this.compact().subarray(0, 300).toString("latin1");
        throw new Error(`timed out waiting for ${what}; unread: ${JSON.stringify(seen)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}

/** A request head with the route's Host, ready to write on a raw socket. */
function head(requestLine: string, headers: string[] = []): string {
  return [requestLine, `Host: ${host}`, ...headers, "", ""].join("\r\n");
}

/** A replica that speaks raw TCP, for responses node:http would never send. */
interface RawUpstream extends Upstream {
  /** Request heads received, in order. */
  requests: string[];
  connections: number;
}

/**
 * Starts a raw TCP upstream. `answer` gets each request head (bodyless requests only) and the
 * index of the request on its connection, and writes whatever it likes on the socket.
 */
async function rawUpstream(answer: (socket: Socket, head: string, indexOnConnection: number) => void) {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    upstream.connections++;
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    let buffered = "";
    let index = 0;
    socket.on("data", (chunk: Buffer) => {
      buffered += chunk.toString("latin1");
      for (let end = buffered.indexOf("\r\n\r\n"); end !== -1; end = buffered.indexOf("\r\n\r\n")) {
        const requestHead = buffered.slice(0, end);
        buffered = buffered.slice(end + 4);
        upstream.requests.push(requestHead);
        answer(socket, requestHead, index++);
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const upstream: RawUpstream = {
    id: nextId(),
    release: "v1",
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: [],
    connections: 0,
  };
  cleanups.push(async () => {
    for (const socket of sockets) {
      socket.destroy();
    }
    await new Promise((resolve) => server.close(resolve));
  });
  return upstream;
}

/** Starts a node:http upstream (closed after the test). */
async function httpUpstream(handler?: Parameters<typeof startUpstream>[1]) {
  const id = nextId();
  const upstream = await startUpstream(id, handler ?? echo(id));
  cleanups.push(() => upstream.close());
  return upstream;
}

/** Reads a request body and answers `{ length, sha256 }`. */
function bodyDigest(req: NodeJS.ReadableStream, res: ServerResponse): void {
  const hash = createHash("sha256");
  let length = 0;
  req.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    length += chunk.length;
  });
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ length, sha256: hash.digest("hex") }));
  });
}

let ids = 0;
const nextId = () => `web-${++ids}`;
const cleanups: (() => Promise<unknown> | undefined)[] = [];
const clients: WireClient[] = [];

describe("HTTP/1.1 conformance of the router", () => {
  // A short upstream timeout so that a hung exchange fails fast as a 504 instead of a test timeout.
  const router = createRouter({ port: 0, upstreamTimeoutMs: 2_000 });
  let port = 0;

  beforeAll(async () => {
    port = Number(new URL((await router.listen()).url).port);
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) {
      client.socket.destroy();
    }
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });

  afterAll(async () => {
    await router.close();
  });

  const serve = (upstream: Upstream) => router.setRoutes([routeFor("web", [upstream])]);

  /** A request with any Host (and binary bodies) through node:http, on a fresh connection. */
  const nodeRequest = async (options: { method?: string; path: string; body?: Buffer }) => {
    const response = await send(`http://127.0.0.1:${port}`, { host, ...options });
    return { status: response.status, headers: response.headers, body: response.rawBody };
  };

  it("1. answers pipelined requests in order, even when the second is ready first", async () => {
    const upstream = await httpUpstream((req, res) => {
      const body = req.url === "/slow" ? "first response" : "second, longer response";
      setTimeout(() => res.end(body), req.url === "/slow" ? 100 : 0);
    });
    serve(upstream);
    const client = await WireClient.open(port);
    client.write(head("GET /slow HTTP/1.1") + head("GET /fast HTTP/1.1"));
    const first = await client.final();
    const second = await client.final();
    expect([first.status, first.body.toString()]).toEqual([200, "first response"]);
    expect([second.status, second.body.toString()]).toEqual([200, "second, longer response"]);
    expect(upstream.hits).toBe(2);
    expect(client.unread).toBe(0);
  });

  it("2. closes after answering an HTTP/1.0 client, and never sends it chunked", async () => {
    serve(
      await httpUpstream((_req, res) => {
        // No Content-Length: node:http sends this to the router chunked.
        res.writeHead(200, { "content-type": "text/plain" });
        res.write("part one; ");
        setTimeout(() => res.end("part two."), 30);
      }),
    );
    const client = await WireClient.open(port);
    client.write(head("GET /stream HTTP/1.0"));
    const response = await client.final();
    expect(response.status).toBe(200);
    expect(headerValues(response, "transfer-encoding")).toEqual([]);
    expect(response.body.toString()).toBe("part one; part two.");
    expect(connectionTokens(response)).not.toContain("keep-alive");
    await client.expectClosed();
  });

  it("3. keeps an HTTP/1.0 keep-alive connection open for a sized response", async () => {
    const upstream = await httpUpstream((req, res) => {
      const body = `sized answer to ${req.url}`;
      res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
      res.end(body);
    });
    serve(upstream);
    const client = await WireClient.open(port);
    client.write(head("GET /one HTTP/1.0", ["Connection: keep-alive"]));
    const first = await client.final();
    expect(first.body.toString()).toBe("sized answer to /one");
    // RFC 9112 §9.3: an HTTP/1.0 client only keeps the connection if the response says keep-alive.
    expect(connectionTokens(first)).toContain("keep-alive");
    expect(await client.openAfter(100)).toBe(true);
    client.write(head("GET /two HTTP/1.0", ["Connection: keep-alive"]));
    const second = await client.final();
    expect(second.body.toString()).toBe("sized answer to /two");
    expect(upstream.hits).toBe(2);
  });

  it("4. honours Connection: close from an HTTP/1.1 client", async () => {
    serve(await httpUpstream((_req, res) => res.end("bye")));
    const client = await WireClient.open(port);
    client.write(head("GET / HTTP/1.1", ["Connection: close"]));
    const response = await client.final();
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe("bye");
    expect(connectionTokens(response)).toContain("close");
    await client.expectClosed();
  });

  it("5. forwards a chunked request body, sent in pauses, whole", async () => {
    const upstream = await httpUpstream(bodyDigest);
    serve(upstream);
    const parts = [randomBytes(1), randomBytes(100), randomBytes(4096), randomBytes(65_536), randomBytes(3)];
    const client = await WireClient.open(port);
    client.write(
      head("POST /upload HTTP/1.1", ["Transfer-Encoding: chunked", "Content-Type: application/octet-stream"]),
    );
    for (const [index, part] of parts.entries()) {
      // One chunk with an extension, which RFC 9112 §7.1.1 says a recipient must ignore.
      const extension = index === 1 ? ";note=ignored" : "";
      client.write(
        Buffer.concat([
          Buffer.from(`${part.length.toString(16)}${extension}\r\n`),
          part,
          Buffer.from("\r\n"),
        ]),
      );
      await pause(30);
    }
    client.write("0\r\nX-Trailer: done\r\n\r\n");
    const response = await client.final();
    const whole = Buffer.concat(parts);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ length: whole.length, sha256: sha256(whole) });
  });

  it("6. passes an 8 MiB request body and a 16 MiB response body through intact", async () => {
    const upload = randomBytes(8 * 1024 * 1024);
    const download = randomBytes(16 * 1024 * 1024);
    serve(
      await httpUpstream((req, res) => {
        if (req.method === "POST") {
          bodyDigest(req, res);
        } else {
          res.writeHead(200, { "content-type": "application/octet-stream" });
          res.end(download);
        }
      }),
    );
    const [uploaded, downloaded] = await Promise.all([
      nodeRequest({ method: "POST", path: "/upload", body: upload }),
      nodeRequest({ path: "/download" }),
    ]);
    expect(JSON.parse(uploaded.body.toString())).toEqual({ length: upload.length, sha256: sha256(upload) });
    expect(downloaded.status).toBe(200);
    expect(downloaded.body.length).toBe(download.length);
    expect(sha256(downloaded.body)).toBe(sha256(download));
  });

  it("7. answers HEAD with the upstream's Content-Length and no body, keeping the connection", async () => {
    serve(
      await httpUpstream((req, res) => {
        if (req.method === "HEAD") {
          res.writeHead(200, { "content-type": "text/plain", "content-length": "1234" });
          res.end();
        } else {
          res.end("after the HEAD");
        }
      }),
    );
    const client = await WireClient.open(port);
    client.write(head("HEAD /resource HTTP/1.1"));
    const response = await client.final("HEAD");
    expect(response.status).toBe(200);
    expect(header(response, "content-length")).toBe("1234");
    expect(headerValues(response, "transfer-encoding")).toEqual([]);
    // Not one body byte may follow: it would be read as the start of the next response.
    expect(await client.openAfter(100)).toBe(true);
    expect(client.unread).toBe(0);
    client.write(head("GET /resource HTTP/1.1"));
    const next = await client.final();
    expect([next.status, next.body.toString()]).toEqual([200, "after the HEAD"]);
  });

  it("8. relays 204 and 304 without a body and keeps the connection usable", async () => {
    serve(
      await httpUpstream((req, res) => {
        if (req.url === "/no-content") {
          res.writeHead(204, { "x-kind": "no-content" });
          res.end();
        } else if (req.url === "/cached") {
          res.writeHead(304, { etag: '"v1"', "cache-control": "max-age=60" });
          res.end();
        } else {
          res.end("still talking");
        }
      }),
    );
    const client = await WireClient.open(port);
    client.write(head("DELETE /no-content HTTP/1.1"));
    const noContent = await client.final();
    expect(noContent.status).toBe(204);
    expect(header(noContent, "x-kind")).toBe("no-content");
    // RFC 9112 §6.1: no Transfer-Encoding in a 204.
    expect(headerValues(noContent, "transfer-encoding")).toEqual([]);
    expect(await client.openAfter(50)).toBe(true);
    expect(client.unread).toBe(0);

    client.write(head("GET /cached HTTP/1.1", ['If-None-Match: "v1"']));
    const notModified = await client.final();
    expect(notModified.status).toBe(304);
    expect(header(notModified, "etag")).toBe('"v1"');
    expect(await client.openAfter(50)).toBe(true);
    expect(client.unread).toBe(0);

    client.write(head("GET /after HTTP/1.1"));
    const after = await client.final();
    expect([after.status, after.body.toString()]).toEqual([200, "still talking"]);
  });

  it("9. sends 100 Continue before the client's body, then the final response", async () => {
    const upstream = await httpUpstream(bodyDigest);
    serve(upstream);
    const body = Buffer.from("the body sent only after 100 Continue");
    const client = await WireClient.open(port);
    client.write(head("POST /upload HTTP/1.1", [`Content-Length: ${body.length}`, "Expect: 100-continue"]));
    const interim = await client.next("POST", 1_000);
    expect(interim.version).toBe("HTTP/1.1");
    expect(interim.status).toBe(100);
    client.write(body);
    const response = await client.final("POST");
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body.toString())).toEqual({ length: body.length, sha256: sha256(body) });
  });

  describe("10. request smuggling", () => {
    const refused = async (request: string) => {
      const upstream = await httpUpstream();
      serve(upstream);
      const client = await WireClient.open(port);
      client.write(request);
      const response = await client.final("POST");
      expect(response.status).toBe(400);
      expect(header(response, "content-type")).toBe("application/problem+json");
      await client.expectClosed();
      expect(upstream.hits).toBe(0);
      // The route does work: the upstream was spared, not unreachable.
      const ok = await nodeRequest({ path: "/ok" });
      expect(ok.status).toBe(200);
      expect(upstream.hits).toBe(1);
    };
    const smuggled = head("GET /smuggled HTTP/1.1");

    it("10a. refuses Content-Length together with Transfer-Encoding: chunked with 400", async () => {
      await refused(
        head("POST /upload HTTP/1.1", ["Content-Length: 4", "Transfer-Encoding: chunked"]) +
          `0\r\n\r\n${smuggled}`,
      );
    });

    it("10b. refuses two different Content-Length values with 400", async () => {
      const body = `hello${smuggled}`;
      await refused(
        head("POST /upload HTTP/1.1", ["Content-Length: 5", `Content-Length: ${body.length}`]) + body,
      );
    });

    it("10c. keeps the body a body when Connection names Content-Length or Host", async () => {
      // Honouring `Connection: content-length` would drop the length upstream and leave the body
      // to be read there as a second request, whose answer the next client on that connection gets.
      const upstream = await httpUpstream();
      serve(upstream);
      const client = await WireClient.open(port);
      const body = smuggled;
      client.write(
        head("POST /front HTTP/1.1", [
          "Connection: keep-alive, Content-Length, Host",
          `Content-Length: ${body.length}`,
        ]) + body,
      );
      const response = await client.final("POST");
      expect(response.status).toBe(200);
      const echoed = JSON.parse(response.body.toString()) as EchoedRequest;
      expect(echoed).toMatchObject({ url: "/front", body });
      expect(echoed.headers["content-length"]).toBe(String(body.length));
      const next = await nodeRequest({ path: "/victim" });
      expect(JSON.parse(next.body.toString())).toMatchObject({ url: "/victim" });
      expect(upstream.hits).toBe(2);
    });

    it("10d. keeps a response's Content-Length when the replica's Connection names it", async () => {
      serve(
        await rawUpstream((socket) => {
          socket.write("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\nContent-Length: 5\r\n\r\nhello");
        }),
      );
      const client = await WireClient.open(port);
      client.write(head("GET /sized HTTP/1.1"));
      const response = await client.final();
      expect(header(response, "content-length")).toBe("5");
      expect(response.body.toString()).toBe("hello");
    });
  });

  it("11. answers 431 problem+json to request headers larger than 16 KiB", async () => {
    const upstream = await httpUpstream();
    serve(upstream);
    const filler = (count: number) =>
      Array.from({ length: count }, (_, i) => `X-Filler-${i}: ${"f".repeat(1_000)}`);
    // Well under the limit: forwarded.
    const fits = await WireClient.open(port);
    fits.write(head("GET /fits HTTP/1.1", filler(10)));
    expect((await fits.final()).status).toBe(200);
    // Over 16 KiB in total, although every single line is short.
    const client = await WireClient.open(port);
    client.write(head("GET /too-big HTTP/1.1", filler(18)));
    const response = await client.final();
    expect(response.status).toBe(431);
    expect(header(response, "content-type")).toBe("application/problem+json");
    expect(JSON.parse(response.body.toString())).toMatchObject({ status: 431 });
    expect(upstream.hits).toBe(1);
  });

  it("12. relays several Set-Cookie headers as separate header lines", async () => {
    const cookies = [
      "session=abc; Path=/; HttpOnly",
      "theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT",
      "lang=en",
    ];
    serve(
      await httpUpstream((_req, res) => {
        res.setHeader("set-cookie", cookies);
        res.end("cookies");
      }),
    );
    const client = await WireClient.open(port);
    client.write(head("GET / HTTP/1.1"));
    const response = await client.final();
    expect(response.status).toBe(200);
    expect(headerValues(response, "set-cookie")).toEqual(cookies);
  });

  it("13. relays a close-delimited HTTP/1.0 upstream response completely", async () => {
    const body = randomBytes(48 * 1024).toString("hex");
    serve(
      await rawUpstream((socket) => {
        socket.write(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n${body.slice(0, 1000)}`);
        setTimeout(() => {
          socket.write(body.slice(1000, 50_000));
          setTimeout(() => socket.end(body.slice(50_000)), 20);
        }, 20);
      }),
    );
    const client = await WireClient.open(port);
    client.write(head("GET /legacy HTTP/1.1"));
    const response = await client.final();
    expect(response.status).toBe(200);
    // Either chunked (complete once the last chunk arrived) or close-delimited (complete at close).
    const chunked = headerValues(response, "transfer-encoding").join(",").toLowerCase().includes("chunked");
    if (!chunked) {
      expect(client.ended).toBe(true);
    }
    expect(response.body.length).toBe(body.length);
    expect(response.body.toString()).toBe(body);
  });

  it("14. delivers the final response after a 103 Early Hints", async () => {
    serve(
      await httpUpstream((_req, res) => {
        res.writeEarlyHints({ link: "</style.css>; rel=preload; as=style" });
        setTimeout(() => {
          res.writeHead(200, { "content-type": "text/html" });
          res.end("<p>hinted</p>");
        }, 30);
      }),
    );
    const client = await WireClient.open(port);
    client.write(head("GET /page HTTP/1.1"));
    const response = await client.final();
    expect(response.interim.every((status) => status === 103)).toBe(true);
    expect(response.status).toBe(200);
    expect(header(response, "content-type")).toBe("text/html");
    expect(response.body.toString()).toBe("<p>hinted</p>");
  });

  it("15. stops the upstream stream and frees the replica when the client goes away", async () => {
    let upstreamClosed: () => void = () => undefined;
    const closedUpstream = new Promise<void>((resolve) => {
      upstreamClosed = resolve;
    });
    const upstream = await httpUpstream((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const ticker = setInterval(() => res.write("tick\n"), 20);
      res.on("close", () => {
        clearInterval(ticker);
        upstreamClosed();
      });
    });
    serve(upstream);
    const client = await WireClient.open(port);
    client.write(head("GET /forever HTTP/1.1"));
    const started = await client.next("HEAD");
    expect(started.status).toBe(200);
    await eventually(() => client.unread > 0, 1_000);
    expect(router.outstanding(upstream.id)).toBe(1);
    client.socket.destroy();
    await eventually(() => router.outstanding(upstream.id) === 0, 1_000);
    let upstreamSawClose = false;
    void closedUpstream.then(() => {
      upstreamSawClose = true;
    });
    await eventually(() => upstreamSawClose, 1_000);
  });

  it("16. retries a GET whose kept-alive upstream connection was closed under it", async () => {
    let dropped = 0;
    const upstream = await rawUpstream((socket, requestHead, indexOnConnection) => {
      if (indexOnConnection > 0) {
        // Like a server whose keep-alive timer fired as the request arrived: close, no answer.
        dropped++;
        socket.destroy();
        return;
      }
      const body = `served ${requestHead.split(" ")[1]}`;
      // No `Connection: close`: the router may keep (and reuse) this connection.
      socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    serve(upstream);
    const first = await nodeRequest({ path: "/first" });
    expect([first.status, first.body.toString()]).toEqual([200, "served /first"]);
    await pause(50);
    const second = await nodeRequest({ path: "/second" });
    expect([second.status, second.body.toString()]).toEqual([200, "served /second"]);
    // The second GET went out on the kept-alive connection, which broke, and was retried on a new
    // one: a router that did not reuse upstream connections would never exercise the retry.
    expect(dropped).toBe(1);
    expect(upstream.requests).toHaveLength(3);
    expect(upstream.connections).toBe(2);
  });

  it("17. drops hop-by-hop response headers, keeps end-to-end ones, adds x-request-id", async () => {
    serve(
      await rawUpstream((socket) => {
        socket.write(
          [
            "HTTP/1.1 200 OK",
            "Content-Type: text/plain",
            "Content-Length: 2",
            "Connection: x-custom, x-other",
            "Keep-Alive: timeout=77, max=1234",
            "X-Custom: private",
            "X-Other: private too",
            "Proxy-Authenticate: Basic realm=upstream",
            "Proxy-Connection: keep-alive",
            "X-Ordinary: yes",
            "Cache-Control: max-age=60",
            "",
            "ok",
          ].join("\r\n"),
        );
      }),
    );
    const client = await WireClient.open(port);
    client.write(head("GET / HTTP/1.1"));
    const response = await client.final();
    expect(response.status).toBe(200);
    expect(response.body.toString()).toBe("ok");
    for (const stripped of ["x-custom", "x-other", "proxy-authenticate", "proxy-connection"]) {
      expect(headerValues(response, stripped), stripped).toEqual([]);
    }
    // The router may speak for its own connection, never with the upstream's words.
    expect(connectionTokens(response)).not.toContain("x-custom");
    expect(connectionTokens(response)).not.toContain("x-other");
    expect(headerValues(response, "keep-alive").join()).not.toMatch(/77|1234/);
    expect(header(response, "x-ordinary")).toBe("yes");
    expect(header(response, "cache-control")).toBe("max-age=60");
    expect(header(response, "content-type")).toBe("text/plain");
    expect(header(response, "x-request-id")).toMatch(uuid);
  });

  it("18. sends the upstream X-Forwarded-*, X-Request-Id and the Host, minus hop-by-hop headers", async () => {
    serve(await httpUpstream());
    const client = await WireClient.open(port);
    client.write(
      head("GET /echo HTTP/1.1", [
        "Connection: keep-alive, X-Hop",
        "Keep-Alive: timeout=99",
        "TE: trailers, deflate;q=0.5",
        "X-Hop: private",
        "X-End-To-End: kept",
      ]),
    );
    const response = await client.final();
    expect(response.status).toBe(200);
    const seen = (JSON.parse(response.body.toString()) as EchoedRequest).headers;
    expect(seen.host).toBe(host);
    expect(seen["x-forwarded-host"]).toBe(host);
    expect(seen["x-forwarded-for"]).toBe("127.0.0.1");
    expect(seen["x-forwarded-proto"]).toBe("http");
    expect(seen["x-request-id"]).toMatch(uuid);
    expect(header(response, "x-request-id")).toBe(seen["x-request-id"]);
    expect(seen["x-end-to-end"]).toBe("kept");
    expect(seen["x-hop"]).toBeUndefined();
    expect(seen["keep-alive"]).toBeUndefined();
    // The router may ask for trailers itself; the client's transfer codings are not its business.
    expect([undefined, "trailers"]).toContain(seen.te);
    // The router's own connection options only: none of the client's tokens.
    expect(seen.connection ?? "keep-alive").toMatch(/^(keep-alive|close)$/i);
  });

  it("19. answers garbage with a 400 problem, closes, and serves the next connection", async () => {
    const upstream = await httpUpstream();
    serve(upstream);
    const client = await WireClient.open(port);
    client.write("HELLO there, this is not HTTP\r\n\r\n");
    const response = await client.final();
    expect(response.status).toBe(400);
    expect(header(response, "content-type")).toBe("application/problem+json");
    expect(JSON.parse(response.body.toString())).toMatchObject({ status: 400 });
    await client.expectClosed();
    const next = await WireClient.open(port);
    next.write(head("GET /next HTTP/1.1"));
    const served = await next.final();
    expect(served.status).toBe(200);
    expect((JSON.parse(served.body.toString()) as EchoedRequest).url).toBe("/next");
    expect(upstream.hits).toBe(1);
  });

  it("20. passes query strings and percent-encoded paths byte for byte", async () => {
    serve(await httpUpstream());
    const client = await WireClient.open(port);
    const targets = [
      "/a%20b/c?x=1&y=%2F",
      // Dot-segments are resolved for routing only (one that climbs above / is a 400, as in nginx).
      "/a/%2e%2e/x%2Fy/?a=%25&b=c+d&&e",
      "/search?q=caf%C3%A9&sort=-date&empty=",
      "/p;matrix=1/%7Euser?",
    ];
    for (const target of targets) {
      client.write(head(`GET ${target} HTTP/1.1`));
      const response = await client.final();
      expect(response.status, target).toBe(200);
      expect((JSON.parse(response.body.toString()) as EchoedRequest).url).toBe(target);
    }
  });
});
