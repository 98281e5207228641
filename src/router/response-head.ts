import { joinFieldValues, listedInConnection } from "./request-head.js";

/** What the router acts on in a replica's response head, picked out in one pass. */
export interface ResponseHeadFacts {
  /** How the replica delimited its body: sized, chunked, or until it closes the connection. */
  framing: "content-length" | "chunked" | "close";
  /** The body's size when `framing` is `content-length` (llhttp has checked the value). */
  contentLength: number | undefined;
  /** `Keep-Alive: timeout=N` in milliseconds, when the replica says. */
  keepAliveTimeoutMs: number | undefined;
  /** Header names its `Connection` lists: hop-by-hop too (RFC 9110 §7.6.1). */
  connectionListed: Set<string> | undefined;
}

/** Reads a response's raw `[name, value, …]` headers once, comparing lengths before lower-casing. */
export function readResponseHead(raw: readonly string[]): ResponseHeadFacts {
  let chunked = false;
  let contentLength: string | undefined;
  let keepAliveTimeoutMs: number | undefined;
  let connection: string | undefined;
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index] as string;
    switch (name.length) {
      case 10: {
        const lower = name.toLowerCase();
        if (lower === "connection") {
          connection = joinFieldValues(connection, raw[index + 1] ?? "");
        } else if (lower === "keep-alive") {
          keepAliveTimeoutMs = keepAliveTimeout(raw[index + 1] ?? "") ?? keepAliveTimeoutMs;
        }
        break;
      }
      case 14:
        if (name.toLowerCase() === "content-length") {
          contentLength = raw[index + 1];
        }
        break;
      case 17:
        chunked ||= name.toLowerCase() === "transfer-encoding";
        break;
    }
  }
  return {
    framing: chunked ? "chunked" : contentLength !== undefined ? "content-length" : "close",
    contentLength: chunked || contentLength === undefined ? undefined : Number(contentLength),
    keepAliveTimeoutMs,
    connectionListed: listedInConnection(connection),
  };
}

// A replica sends the same `Keep-Alive` value on every response: parse it once.
let lastKeepAlive = "";
let lastKeepAliveMs: number | undefined;

/** `timeout=5, max=100` → 5000. */
function keepAliveTimeout(value: string): number | undefined {
  if (value !== lastKeepAlive) {
    const match = /(?:^|,)\s*timeout=(\d+)/i.exec(value);
    lastKeepAlive = value;
    lastKeepAliveMs = match === null ? undefined : Number(match[1]) * 1000;
  }
  return lastKeepAliveMs;
}
