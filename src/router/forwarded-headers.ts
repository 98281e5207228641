import type { RequestHead } from "./request-head.js";
import type { RequestTarget } from "./request-target.js";

/**
 * RFC 9110 §7.6.1 connection-specific fields, plus the ones proxies must not pass on
 * (`Proxy-*`). Most headers are none of these, so the length is compared before any
 * lower-casing.
 */
function isHopByHop(name: string): boolean {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === "te";
    // `Trailer` passes: the trailers it announces are forwarded (RFC 9110 §6.6.2).
    case 7:
      return name.toLowerCase() === "upgrade";
    case 10: {
      const lower = name.toLowerCase();
      return lower === "connection" || lower === "keep-alive";
    }
    case 14:
      return name.toLowerCase() === "http2-settings";
    case 17:
      return name.toLowerCase() === "transfer-encoding";
  }
  return (name.charCodeAt(0) | 0x20) === 0x70 && name.toLowerCase().startsWith("proxy-");
}

/** Set by the router itself (so the client's values are dropped first), and `Expect`, which it answers. */
function isSetByRouter(name: string): boolean {
  switch (name.length) {
    case 4:
      return name.toLowerCase() === "host";
    case 6:
      return name.toLowerCase() === "expect";
    case 12:
      return name.toLowerCase() === "x-request-id";
    case 15:
      return name.toLowerCase() === "x-forwarded-for";
    case 16:
      return name.toLowerCase() === "x-forwarded-host";
    case 17:
      return name.toLowerCase() === "x-forwarded-proto";
  }
  return false;
}

/** How a message's body is delimited on the wire the router writes. */
export type Framing = "none" | "content-length" | "chunked" | "close";

/** Whether a client's header goes upstream as it is. */
function forwardsAsIs(name: string, listed: Set<string> | undefined): boolean {
  return !isHopByHop(name) && !isSetByRouter(name) && listed?.has(name.toLowerCase()) !== true;
}

/** The client's `X-Forwarded-For` with the client's own address appended. */
function forwardedFor(head: RequestHead): string {
  const client = head.remoteAddress.startsWith("::ffff:") ? head.remoteAddress.slice(7) : head.remoteAddress;
  return head.forwardedFor === undefined ? client : `${head.forwardedFor}, ${client}`;
}

/**
 * The headers sent upstream, as a flat `[name, value, …]` list: the client's headers minus
 * hop-by-hop ones (and `Expect`, already answered by the router), with `Host` kept,
 * `X-Forwarded-For` appended to, `X-Forwarded-Proto`/`-Host` and `X-Request-Id` set. A WebSocket
 * handshake keeps `Upgrade` and gets `Connection: upgrade`. `Content-Length` passes through;
 * a chunked body gets `Transfer-Encoding: chunked` from the caller.
 */
export function upstreamRequestHeaders(
  head: RequestHead,
  target: RequestTarget,
  requestId: string,
  options: { websocket?: boolean } = {},
): string[] {
  const raw = head.rawHeaders;
  const headers: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    if (forwardsAsIs(name, head.connectionListed)) {
      headers.push(name, raw[index + 1] as string);
    }
  }
  headers.push(
    "host",
    target.authority,
    "x-forwarded-for",
    forwardedFor(head),
    "x-forwarded-proto",
    "http",
    "x-forwarded-host",
    target.authority,
    "x-request-id",
    requestId,
  );
  if (options.websocket === true) {
    headers.push("connection", "upgrade", "upgrade", head.upgradeProtocol ?? "websocket");
  }
  return headers;
}

/**
 * The request head written to a replica: the headers of {@link upstreamRequestHeaders}, built
 * straight into the text (no list in between: this runs for every request). Header names and
 * values are llhttp-validated input or the router's own, so no CR or LF can be smuggled in;
 * latin1 gives back the bytes as sent.
 */
export function serializeRequestHead(
  head: RequestHead,
  target: RequestTarget,
  requestId: string,
  framing: Framing,
): string {
  const raw = head.rawHeaders;
  let text = `${head.method} ${target.pathAndQuery} HTTP/1.1\r\n`;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    if (forwardsAsIs(name, head.connectionListed)) {
      text += `${name}: ${raw[index + 1]}\r\n`;
    }
  }
  const authority = target.authority;
  text += `host: ${authority}\r\nx-forwarded-for: ${forwardedFor(head)}\r\nx-forwarded-proto: http\r\nx-forwarded-host: ${authority}\r\nx-request-id: ${requestId}\r\n`;
  if (framing === "chunked") {
    text += "transfer-encoding: chunked\r\n";
  }
  return `${text}\r\n`;
}

/**
 * The end of a chunked body with its trailers (RFC 9112 §7.1.2), minus hop-by-hop and framing
 * fields, which have no business in a trailer.
 */
export function lastChunk(trailers: readonly string[]): string {
  let text = "0\r\n";
  for (let index = 0; index < trailers.length; index += 2) {
    const name = trailers[index] as string;
    if (!isHopByHop(name) && !(name.length === 14 && name.toLowerCase() === "content-length")) {
      text += `${name}: ${trailers[index + 1]}\r\n`;
    }
  }
  return `${text}\r\n`;
}

/** What the router adds to an upstream's response head for the client. */
export interface ResponseHeadOptions {
  requestId: string;
  /** Names the upstream's `Connection` lists, dropped like the other hop-by-hop headers. */
  listed: Set<string> | undefined;
  /** How the body goes to the client: as the upstream sized it, re-chunked, or until close. */
  framing: Framing;
  /** `close` when the connection ends after this response; `keep-alive` for HTTP/1.0 clients that asked. */
  connection: "close" | "keep-alive" | undefined;
  /** An HTTP date for responses that have none (as node:http and nginx add). */
  date: string;
}

/**
 * The upstream's response head for the client: hop-by-hop headers dropped (and those its
 * `Connection` lists), the request id added when the upstream did not echo one, framing and
 * `Connection` set for the client's side of the hop.
 */
export function serializeResponseHead(
  statusCode: number,
  statusMessage: string,
  raw: readonly string[],
  options: ResponseHeadOptions,
): string {
  const { listed } = options;
  let text = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`;
  let hasRequestId = false;
  let hasDate = false;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    if (isHopByHop(name) || listed?.has(name.toLowerCase())) {
      continue;
    }
    hasRequestId ||= name.length === 12 && name.toLowerCase() === "x-request-id";
    hasDate ||= name.length === 4 && name.toLowerCase() === "date";
    text += `${name}: ${raw[index + 1]}\r\n`;
  }
  if (!hasRequestId) {
    text += `x-request-id: ${options.requestId}\r\n`;
  }
  if (!hasDate) {
    text += `date: ${options.date}\r\n`;
  }
  if (options.framing === "chunked") {
    text += "transfer-encoding: chunked\r\n";
  }
  if (options.connection !== undefined) {
    text += `connection: ${options.connection}\r\n`;
  }
  return `${text}\r\n`;
}
