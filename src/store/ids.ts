import { randomBytes } from "node:crypto";

/** RFC 4648 base32 in lower case: no look-alike pairs such as 0/O or 1/l, safe in URLs and file names. */
const BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const ID_RANDOM_CHARS = 20;

/**
 * A new random id with a prefix that names its kind, e.g. `svc_3kq7…` (100 random bits).
 *
 * @example newId("svc") // "svc_k2jd7w4qh3zq6a5m2xye"
 */
export function newId(prefix: string): string {
  const bytes = randomBytes(ID_RANDOM_CHARS);
  let suffix = "";
  for (const byte of bytes) {
    // 256 is a multiple of 32, so masking the low 5 bits keeps every character equally likely.
    suffix += BASE32_ALPHABET[byte & 31];
  }
  return `${prefix}_${suffix}`;
}

/**
 * The current time as ISO-8601 UTC text with milliseconds, the one timestamp format of the store:
 * it sorts as text and reads the same from SQLite and PostgreSQL.
 */
export function nowIso(): string {
  return new Date().toISOString();
}
