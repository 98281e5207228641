import type { Balanceable } from "./balancer.js";
import type { Upstream } from "./types.js";
import { type ConnectionOwner, UpstreamConnection } from "./upstream-connection.js";

/**
 * One replica as the router sees it: its keep-alive connections and the count of requests in
 * flight on it. A replica removed from the routes is "retired": it gets no new requests, and its
 * idle connections close once the last in-flight one has finished.
 */
export class UpstreamTarget implements Balanceable, ConnectionOwner {
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
  /** Idle keep-alive connections, most recently used last (it is taken first: still warm). */
  private readonly idle: UpstreamConnection[] = [];
  private readonly open = new Set<UpstreamConnection>();

  constructor(upstream: Upstream) {
    this.id = upstream.id;
    this.url = upstream.url;
    this.release = upstream.release;
    const parsed = parseUpstreamUrl(upstream);
    this.hostname = parsed.hostname;
    this.port = Number(parsed.port || 80);
  }

  /**
   * A connection for one request: an idle kept-alive one if there is one still within its idle
   * time, else a new one. Unbounded like nginx's upstream connections: the client side is the
   * real limit.
   */
  connection(now: number): UpstreamConnection {
    for (let kept = this.idle.pop(); kept !== undefined; kept = this.idle.pop()) {
      if (!kept.socket.destroyed && now - kept.idleSince < kept.idleTimeoutMs) {
        return kept;
      }
      kept.destroy();
    }
    const fresh = new UpstreamConnection(this.hostname, this.port, this);
    this.open.add(fresh);
    return fresh;
  }

  /** A response is done with the connection: keep it for the next request, or close it. */
  giveBack(connection: UpstreamConnection, reusable: boolean): void {
    if (reusable && !this.retired) {
      connection.idleSince = Date.now();
      this.idle.push(connection);
    } else {
      connection.destroy();
    }
  }

  closed(connection: UpstreamConnection): void {
    this.open.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index !== -1) {
      this.idle.splice(index, 1);
    }
  }

  /**
   * Times out requests whose replica has not answered by their deadline, and closes idle
   * connections past their idle time, so file descriptors are not held forever.
   */
  sweep(now: number): void {
    for (const connection of [...this.open]) {
      connection.checkDeadline(now);
    }
    for (const connection of [...this.idle]) {
      if (now - connection.idleSince >= connection.idleTimeoutMs) {
        connection.destroy();
      }
    }
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

  /** Ends every connection right away (router shutdown). */
  destroy(): void {
    for (const connection of [...this.open]) {
      connection.destroy();
    }
  }

  private closeIfDrained(): void {
    if (this.retired && this.outstanding === 0) {
      for (const connection of this.idle.splice(0)) {
        connection.destroy();
      }
    }
  }
}

/** Throws, naming the replica, at the first upstream whose URL is not `http://HOST:PORT`. */
export function checkUpstreamUrls(upstreams: readonly Upstream[]): void {
  for (const upstream of upstreams) {
    parseUpstreamUrl(upstream);
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
