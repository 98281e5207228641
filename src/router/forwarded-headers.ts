import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { RequestTarget } from "./request-target.js";

// RFC 9110 §7.6.1 connection-specific fields, plus the ones proxies must not pass on.
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "http2-settings",
]);

// Set by the router itself, so the client's values are dropped first.
const setByRouter = new Set([
  "host",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-forwarded-host",
  "x-request-id",
]);

/**
 * The headers sent upstream, as a flat `[name, value, …]` list: the client's headers minus
 * hop-by-hop ones (and `Expect`, already answered by the router), with `Host` kept,
 * `X-Forwarded-For` appended to, `X-Forwarded-Proto`/`-Host` and `X-Request-Id` set. A WebSocket
 * handshake keeps `Upgrade` and gets `Connection: upgrade`.
 */
export function upstreamRequestHeaders(
  request: IncomingMessage,
  target: RequestTarget,
  requestId: string,
  options: { websocket?: boolean } = {},
): string[] {
  const raw = request.rawHeaders;
  const connectionListed = listedInConnection(request.headers.connection);
  const headers: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] ?? "";
    const lower = name.toLowerCase();
    if (
      hopByHop.has(lower) ||
      setByRouter.has(lower) ||
      lower === "expect" ||
      lower.startsWith("proxy-") ||
      connectionListed?.has(lower)
    ) {
      continue;
    }
    headers.push(name, raw[index + 1] ?? "");
  }
  headers.push(
    "host",
    target.authority,
    "x-forwarded-for",
    forwardedFor(request),
    "x-forwarded-proto",
    "http",
    "x-forwarded-host",
    target.authority,
    "x-request-id",
    requestId,
  );
  if (options.websocket === true) {
    headers.push("connection", "upgrade", "upgrade", request.headers.upgrade ?? "websocket");
  }
  return headers;
}

/**
 * The upstream's response headers as a flat list for `writeHead`, minus hop-by-hop ones; adds
 * the request id when the upstream did not echo one.
 */
export function downstreamResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
  requestId: string,
): string[] {
  const connectionListed = listedInConnection(upstream.connection);
  const headers: string[] = [];
  let hasRequestId = false;
  for (const name in upstream) {
    const value = upstream[name];
    if (
      value === undefined ||
      hopByHop.has(name) ||
      name.startsWith("proxy-") ||
      connectionListed?.has(name)
    ) {
      continue;
    }
    hasRequestId ||= name === "x-request-id";
    if (typeof value === "string") {
      headers.push(name, value);
    } else {
      for (const item of value) {
        headers.push(name, item);
      }
    }
  }
  if (!hasRequestId) {
    headers.push("x-request-id", requestId);
  }
  return headers;
}

/** The client's `X-Forwarded-For` chain with the client's own address appended. */
function forwardedFor(request: IncomingMessage): string {
  const remote = request.socket.remoteAddress ?? "";
  const address = remote.startsWith("::ffff:") ? remote.slice(7) : remote;
  const earlier = joinHeader(request.headers["x-forwarded-for"]);
  return earlier === undefined ? address : `${earlier}, ${address}`;
}

// Headers named in `Connection: close, x-foo` are hop-by-hop too (RFC 9110 §7.6.1).
function listedInConnection(
  connection: IncomingHttpHeaders["connection"] | string[],
): Set<string> | undefined {
  const value = joinHeader(connection)?.toLowerCase();
  if (value === undefined || value === "keep-alive" || value === "close") {
    return undefined;
  }
  return new Set(value.split(",").map((token) => token.trim()));
}

function joinHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined || value === "") {
    return undefined;
  }
  return typeof value === "string" ? value : value.join(", ");
}
