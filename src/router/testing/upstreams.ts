import { once } from "node:events";
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import type { RouteEntry, Upstream } from "../types.js";

/** A real HTTP server on 127.0.0.1 standing in for one replica. */
export interface TestUpstream extends Upstream {
  server: Server;
  /** Requests that reached it. */
  hits: number;
  close(): Promise<void>;
}

/** What the default handler answers: who served the request and what it saw. */
export interface EchoedRequest {
  upstream: string;
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Starts a replica stand-in; by default it echoes the request as JSON. */
export async function startUpstream(id: string, handler?: Handler, release = "v1"): Promise<TestUpstream> {
  const server = createServer();
  const upstream: TestUpstream = {
    id,
    release,
    url: "",
    server,
    hits: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    upstream.hits++;
    (handler ?? echo(id))(req, res);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  upstream.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return upstream;
}

/** A URL where nothing listens: connecting to it is refused. */
export async function deadUpstreamUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** The handler that answers with an `EchoedRequest`. */
export function echo(id: string): Handler {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const echoed: EchoedRequest = {
        upstream: id,
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      };
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(echoed));
    });
  };
}

/** A route for `service` in `environment` with its default `service.environment.localhost` host. */
export function routeFor(
  service: string,
  upstreams: Upstream[],
  extra: Partial<Omit<RouteEntry, "service" | "upstreams">> = {},
): RouteEntry {
  const environment = extra.environment ?? "staging";
  return {
    service,
    environment,
    hosts: [`${service}.${environment}.localhost`, ...(extra.hosts ?? [])],
    pathPrefix: extra.pathPrefix ?? "/",
    upstreams: upstreams.map(({ id, url, release }) => ({ id, url, release })),
    ...(extra.canary ? { canary: extra.canary } : {}),
  };
}

/** A response read to the end. */
export interface TestResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body's bytes, for binary payloads. */
  rawBody: Buffer;
}

/** One request over a fresh connection, with any Host header (fetch would not allow that). */
export function send(
  baseUrl: string,
  options: {
    host: string;
    path?: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
  },
): Promise<TestResponse> {
  const { port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: "127.0.0.1",
        port,
        method: options.method ?? "GET",
        path: options.path ?? "/",
        headers: { host: options.host, ...options.headers },
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const rawBody = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: rawBody.toString(),
            rawBody,
          });
        });
        response.on("error", reject);
      },
    );
    outgoing.on("error", reject);
    outgoing.end(options.body);
  });
}

/** Polls until `check` holds (for counters that settle a moment after a socket closes). */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error("condition not met in time");
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
