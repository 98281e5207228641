import { Pool } from "undici";
import type { Balanceable } from "./balancer.js";
import type { Upstream } from "./types.js";

/** Settings every upstream connection pool shares. */
export interface PoolSettings {
  /** Time allowed for the response headers (then 504). */
  upstreamTimeoutMs: number;
}

/**
 * One replica as the router sees it: its keep-alive connection pool and the count of requests
 * in flight on it. A replica removed from the routes is "retired": it gets no new requests, and
 * its pool closes once the last in-flight one has finished.
 */
export class UpstreamTarget implements Balanceable {
  readonly id: string;
  readonly url: string;
  readonly release: string;
  /** Host and port, for the WebSocket tunnel (which does not go through the pool). */
  readonly hostname: string;
  readonly port: number;
  outstanding = 0;
  /** Epoch ms until which the balancer passes this replica over (it refused a connection). */
  ejectedUntil = 0;
  private retired = false;
  private pool: Pool | undefined;
  private readonly settings: PoolSettings;

  constructor(upstream: Upstream, settings: PoolSettings) {
    this.id = upstream.id;
    this.url = upstream.url;
    this.release = upstream.release;
    const parsed = parseUpstreamUrl(upstream);
    this.hostname = parsed.hostname;
    this.port = Number(parsed.port || 80);
    this.settings = settings;
  }

  /** The keep-alive pool, created on first use. */
  dispatcher(): Pool {
    if (this.pool === undefined) {
      this.pool = new Pool(this.url, {
        // Unbounded like nginx's upstream connections: the client side is the real limit.
        connections: null,
        // The router times responses itself, to the millisecond; this is only a backstop.
        headersTimeout: this.settings.upstreamTimeoutMs + 1_000,
        // Streams (server-sent events, long downloads) may stay quiet for long stretches.
        bodyTimeout: 0,
        connectTimeout: Math.min(this.settings.upstreamTimeoutMs, 10_000),
      });
    }
    return this.pool;
  }

  /** Marks one more request in flight. Returns the matching, idempotent release. */
  acquire(): () => void {
    this.outstanding++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.outstanding--;
        this.closeIfDrained();
      }
    };
  }

  /** Passes the replica over for `ms`: a refused connection means it is down or not listening yet. */
  eject(ms: number): void {
    this.ejectedUntil = Date.now() + ms;
  }

  retire(): void {
    this.retired = true;
    this.closeIfDrained();
  }

  reinstate(): void {
    this.retired = false;
  }

  get isRetired(): boolean {
    return this.retired;
  }

  /** Ends the pool right away (router shutdown). */
  async destroy(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    await pool?.destroy().catch(() => undefined);
  }

  private closeIfDrained(): void {
    if (this.retired && this.outstanding === 0 && this.pool !== undefined) {
      const pool = this.pool;
      this.pool = undefined;
      // close() lets queued work finish; nothing is queued once outstanding is 0.
      pool.close().catch(() => undefined);
    }
  }
}

/** The replica's URL, or an error naming the replica when it is not `http://HOST:PORT`. */
export function parseUpstreamUrl(upstream: Upstream): URL {
  const parsed = URL.parse(upstream.url);
  if (parsed === null || parsed.protocol !== "http:") {
    throw new Error(`upstream ${upstream.id} has URL "${upstream.url}": expected http://HOST:PORT`);
  }
  return parsed;
}

/** Identity of a target across route tables: same replica, same address, same release. */
export function targetKey(upstream: Upstream): string {
  return `${upstream.id}\u0000${upstream.url}\u0000${upstream.release}`;
}
