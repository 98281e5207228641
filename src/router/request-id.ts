import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps the caller's `X-Request-Id` when it is short and plain, so one id follows a request
 * through every proxy; anything else (long, several values, odd characters that could forge
 * log lines) is replaced by a fresh UUID.
 */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers["x-request-id"];
  return typeof given === "string" && saneRequestId.test(given) ? given : randomUUID();
}
