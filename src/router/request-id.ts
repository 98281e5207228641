import { randomBytes } from "node:crypto";

const saneRequestId = /^[A-Za-z0-9._:-]{1,128}$/;
const counterLimit = 2 ** 48;

let prefix = freshPrefix();
let counter = 0;

/**
 * Keeps the caller's `X-Request-Id` when it is short and plain, so one id follows a request
 * through every proxy; anything else (long, several values, odd characters that could forge
 * log lines) is replaced by a fresh id.
 */
export function requestIdFor(given: string | undefined): string {
  return given !== undefined && saneRequestId.test(given) ? given : nextRequestId();
}

/**
 * A UUIDv8 (RFC 9562 §5.8, the custom layout): 58 random bits chosen once per process, then a
 * 48-bit counter. Unique like a random UUID for all practical purposes, at the price of a counter
 * increment instead of 16 random bytes per request (what nginx's `$request_id` spends).
 */
export function nextRequestId(): string {
  if (counter >= counterLimit) {
    prefix = freshPrefix();
    counter = 0;
  }
  return prefix + (counter++).toString(16).padStart(12, "0");
}

/** `xxxxxxxx-xxxx-8xxx-Vxxx-`: version 8, variant 10xx, the rest random. */
function freshPrefix(): string {
  const bytes = randomBytes(8);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  const hex = bytes.toString("hex");
  const variant = (((randomBytes(1)[0] as number) & 0x3) | 0x8).toString(16);
  const tail = randomBytes(2).toString("hex").slice(0, 3);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${variant}${tail}-`;
}
