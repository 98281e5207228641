import pg from "pg";
import { redactDatabaseUrl, scrubPassword } from "./postgres-pool.js";
import { StoreError } from "./store-error.js";

/**
 * The advisory lock key every Slipway platform takes on its database ("slip" in ASCII). Advisory
 * locks live only as long as their session, so a platform that dies (even by kill -9) frees it the
 * moment PostgreSQL notices the connection is gone.
 */
export const platformLockKey = 0x736c6970;

/** How often the lock's session is checked, and how long it may take to answer. */
const heartbeatIntervalMs = 10_000;
const heartbeatTimeoutMs = 5_000;

/** A held instance lock: release it on shutdown; `lost` settles if the session ends first. */
export interface HeldInstanceLock {
  release(): Promise<void>;
  /** Resolves with the reason if the lock's connection fails while held. */
  lost: Promise<Error>;
}

/**
 * Takes the platform's advisory lock on its own connection, or fails with a message naming the
 * database when another platform holds it: two deploy controllers on one database would fight
 * over the same replicas.
 */
export async function lockPostgresForInstance(url: URL): Promise<HeldInstanceLock> {
  const client = new pg.Client({
    connectionString: url.href,
    connectionTimeoutMillis: 10_000,
    // A silent network break must be noticed on both ends: TCP keepalives from here, the
    // heartbeat below, and the server's own keepalives (set on the session) so that it frees the
    // lock of a host that died in seconds rather than hours.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    query_timeout: heartbeatTimeoutMs,
  });
  let released = false;
  let reportLost: (reason: Error) => void = () => {};
  const lost = new Promise<Error>((resolve) => {
    reportLost = resolve;
  });
  client.on("error", (error) => {
    if (!released) {
      reportLost(new Error(scrubPassword(error.message, url)));
    }
  });
  client.on("end", () => {
    if (!released) {
      reportLost(new Error("the connection holding the lock closed"));
    }
  });
  try {
    await client.connect();
    const result = await client.query<{ locked: boolean }>("select pg_try_advisory_lock($1) as locked", [
      platformLockKey,
    ]);
    await client.query(
      "set tcp_keepalives_idle = 10; set tcp_keepalives_interval = 5; set tcp_keepalives_count = 3",
    );
    if (result.rows[0]?.locked !== true) {
      throw new StoreError(
        "database_in_use",
        `Another Slipway platform is running on the PostgreSQL database ${redactDatabaseUrl(url)}: one platform per database for now, or two deploy controllers would fight over the same replicas. Stop the other one, or point SLIPWAY_DATABASE_URL at another database.`,
      );
    }
  } catch (error) {
    released = true;
    await client.end().catch(() => {});
    if (error instanceof StoreError) {
      throw error;
    }
    const message = error instanceof Error ? error.message : String(error);
    throw new StoreError(
      "database_unreachable",
      `Cannot take the platform lock on ${redactDatabaseUrl(url)}: ${scrubPassword(message, url)}.`,
      { cause: error },
    );
  }
  const heartbeat = setInterval(() => {
    client.query("select 1").catch((error: unknown) => {
      if (!released) {
        const message = error instanceof Error ? error.message : String(error);
        reportLost(new Error(`the lock's session did not answer: ${scrubPassword(message, url)}`));
      }
    });
  }, heartbeatIntervalMs);
  heartbeat.unref();
  return {
    lost,
    release: async () => {
      if (released) {
        return;
      }
      released = true;
      clearInterval(heartbeat);
      // Ending the session frees the lock; no unlock query needed (and none to fail).
      await client.end().catch(() => {});
    },
  };
}
