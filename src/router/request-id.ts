import { randomUUID } from "node:crypto";

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Keeps the caller's `X-Request-Id` when it is short and plain, so one id follows a request
 * through every proxy; anything else (long, several values, odd characters that could forge
 * log lines) is replaced by a fresh UUID.
 */
export function requestIdFor(given: string | undefined): string {
  return given !== undefined && saneRequestId.test(given) ? given : randomUUID();
}
