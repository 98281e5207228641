import pg from "pg";
import { StoreError } from "./store-error.js";

const INT8_OID = 20;
const URL_SHAPE = "postgres://user:password@host:5432/database";

/** True when `url` asks for PostgreSQL rather than the embedded SQLite store. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

/**
 * Checks SLIPWAY_DATABASE_URL and returns it parsed. Errors never repeat the URL itself: it may
 * hold a password.
 */
export function parseDatabaseUrl(url: string): URL {
  if (!isPostgresUrl(url)) {
    throw new StoreError(
      "bad_database_url",
      `SLIPWAY_DATABASE_URL must start with postgres:// or postgresql:// (like ${URL_SHAPE}); unset it to use the embedded SQLite store.`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreError(
      "bad_database_url",
      `SLIPWAY_DATABASE_URL is not a valid URL: expected ${URL_SHAPE} (percent-encode special characters in the password).`,
    );
  }
  if (parsed.hostname === "" && !parsed.searchParams.has("host")) {
    throw new StoreError("bad_database_url", `SLIPWAY_DATABASE_URL names no host: expected ${URL_SHAPE}.`);
  }
  return parsed;
}

/** The URL with its password replaced by `***`, fit for logs and error messages. */
export function redactDatabaseUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password !== "") {
    copy.password = "***";
  }
  return copy.href;
}

/** Removes the password from a driver message, in case a driver ever echoes its connection string. */
export function scrubPassword(message: string, url: URL): string {
  let scrubbed = message;
  for (const secret of new Set([url.password, safeDecode(url.password)])) {
    if (secret.length > 0) {
      scrubbed = scrubbed.replaceAll(secret, "***");
    }
  }
  return scrubbed;
}

/** A `pg` pool whose int8 values (counts, sums, bigint columns) come back as numbers when exact. */
export function createPostgresPool(url: URL): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url.href,
    max: 10,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    types: { getTypeParser: typeParser as typeof pg.types.getTypeParser },
  });
  // An idle client losing its server emits 'error' on the pool; unhandled, that would crash the
  // process. The next query reports the problem instead.
  pool.on("error", () => {});
  return pool;
}

function typeParser(oid: number, format?: "text" | "binary"): unknown {
  if (oid === INT8_OID && format !== "binary") {
    return parseInt8;
  }
  return format === undefined ? pg.types.getTypeParser(oid) : pg.types.getTypeParser(oid, format);
}

/** Beyond 2^53 a number would silently lose digits, so such values stay text, as pg returns them. */
function parseInt8(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : text;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
