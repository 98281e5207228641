import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

const safeRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps a caller's `X-Request-Id` (so a request can be followed through proxies) when it is
 * short and plain; anything else is replaced, so log lines cannot be forged through it.
 */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  if (typeof given === "string" && safeRequestId.test(given)) {
    return given;
  }
  return randomUUID();
}
