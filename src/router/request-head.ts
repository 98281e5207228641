import type { ParsedHead } from "./http-parser.js";

/** A client's request head, with the few header values the router acts on picked out once. */
export interface RequestHead {
  method: string;
  /** The request target as sent: origin form (`/p?q`) or absolute form. */
  url: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  versionMinor: number;
  /** Flat `[name, value, …]` as sent (latin1 strings). */
  rawHeaders: string[];
  keepAlive: boolean;
  upgrade: boolean;
  remoteAddress: string;
  /** The first `Host`, and how many there were (more than one is a 400, RFC 9112 §3.2). */
  host: string | undefined;
  hostCount: number;
  /** The values below are from the headers; several `X-Request-Id` read as undefined. */
  requestId: string | undefined;
  /** Upgrade's value, for WebSocket handshakes. */
  upgradeProtocol: string | undefined;
  /** Every `X-Forwarded-For`, joined with ", ". */
  forwardedFor: string | undefined;
  /** `Connection`'s tokens other than keep-alive/close/upgrade: more hop-by-hop header names. */
  connectionListed: Set<string> | undefined;
  expectsContinue: boolean;
  contentLength: string | undefined;
  chunked: boolean;
}

/** Reads the head llhttp parsed into a `RequestHead`, in one pass over the headers. */
export function readRequestHead(parsed: ParsedHead, remoteAddress: string): RequestHead {
  const raw = parsed.rawHeaders;
  let host: string | undefined;
  let hosts = 0;
  let requestId: string | undefined;
  let requestIds = 0;
  let upgradeProtocol: string | undefined;
  let forwardedFor: string | undefined;
  let connection: string | undefined;
  let expectsContinue = false;
  let contentLength: string | undefined;
  let chunked = false;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    // Most headers are none of these: compare lengths before lower-casing.
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === "host") {
          host ??= raw[index + 1];
          hosts++;
        }
        break;
      case 6:
        if (name.toLowerCase() === "expect") {
          expectsContinue = (raw[index + 1] ?? "").toLowerCase() === "100-continue";
        }
        break;
      case 7:
        if (name.toLowerCase() === "upgrade") {
          upgradeProtocol = raw[index + 1];
        }
        break;
      case 10:
        if (name.toLowerCase() === "connection") {
          connection = joinFieldValues(connection, raw[index + 1] ?? "");
        }
        break;
      case 12:
        if (name.toLowerCase() === "x-request-id") {
          requestId = raw[index + 1];
          requestIds++;
        }
        break;
      case 14:
        if (name.toLowerCase() === "content-length") {
          contentLength = raw[index + 1];
        }
        break;
      case 15:
        if (name.toLowerCase() === "x-forwarded-for") {
          forwardedFor = joinFieldValues(forwardedFor, raw[index + 1] ?? "");
        }
        break;
      case 17:
        // llhttp has already refused Transfer-Encoding beside Content-Length, and a final
        // coding other than chunked on a request.
        if (name.toLowerCase() === "transfer-encoding") {
          chunked = true;
        }
        break;
    }
  }
  return {
    method: parsed.method,
    url: parsed.url,
    versionMinor: parsed.versionMinor,
    rawHeaders: raw,
    keepAlive: parsed.keepAlive,
    upgrade: parsed.upgrade,
    remoteAddress,
    host,
    hostCount: hosts,
    requestId: requestIds === 1 ? requestId : undefined,
    upgradeProtocol,
    forwardedFor,
    connectionListed: listedInConnection(connection),
    expectsContinue: expectsContinue && parsed.versionMinor >= 1,
    contentLength,
    chunked,
  };
}

/** A repeated field's values as one, comma-joined (RFC 9110 §5.3). */
export function joinFieldValues(previous: string | undefined, value: string): string {
  return previous === undefined ? value : `${previous}, ${value}`;
}

/** Whether a request carries a body to forward. */
export function hasBody(head: RequestHead): boolean {
  return head.chunked || (head.contentLength !== undefined && head.contentLength !== "0");
}

/**
 * Fields a `Connection` header may not take away: the ones that frame the message and `Host`.
 * Dropping a listed `Content-Length` would forward the body unframed, to be read upstream as a
 * request of its own (smuggled past the router, its answer given to the next client).
 */
function mayBeListed(name: string): boolean {
  return name !== "content-length" && name !== "host";
}

// Headers named in `Connection: close, x-foo` are hop-by-hop too (RFC 9110 §7.6.1).
export function listedInConnection(value: string | undefined): Set<string> | undefined {
  if (value === undefined) {
    return undefined;
  }
  // The common values, `keep-alive` and `close`, list nothing: no split.
  if ((value.length === 10 || value.length === 5) && isPlainConnectionValue(value)) {
    return undefined;
  }
  let listed: Set<string> | undefined;
  for (const token of value.toLowerCase().split(",")) {
    const name = token.trim();
    if (name !== "" && name !== "keep-alive" && name !== "close" && name !== "upgrade" && mayBeListed(name)) {
      listed ??= new Set();
      listed.add(name);
    }
  }
  return listed;
}

function isPlainConnectionValue(value: string): boolean {
  const lower = value.toLowerCase();
  return lower === "keep-alive" || lower === "close";
}
