/** One ready replica the router may send requests to. */
export interface Upstream {
  /** The replica id; `Router.outstanding(id)` counts its in-flight requests. */
  id: string;
  /** Where the replica listens, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** The release the replica runs (`v3`), used as a metrics label. */
  release: string;
}

/** Where requests for one service in one environment go. */
export interface RouteEntry {
  service: string;
  environment: string;
  /**
   * Exact hosts (`api.example.com`) or single-label wildcards (`*.example.com` matches
   * `a.example.com`, not `example.com` nor `a.b.example.com`, as in Kubernetes ingress).
   */
  hosts: string[];
  /** `/` or `/api`: matches on whole path segments, longest prefix wins, then exact host over wildcard. */
  pathPrefix: string;
  /** Only ready replicas; an empty list answers 503 "no ready replica". */
  upstreams: Upstream[];
  /** Set when the environment is scaled to 0 replicas: the 503 then says so, and how to undo it. */
  scaledToZero?: boolean;
  /**
   * A canary in progress: `weight` percent (0–100) of requests go to the upstreams of `release`,
   * the rest to the others. A side without a ready upstream passes its share to the other.
   */
  canary?: { release: string; weight: number };
}

/** Connection time limits, as node:http names them; the defaults are node:http's and nginx's. */
export interface ClientTimeouts {
  /** An idle keep-alive connection is closed after this long (node:http: 5 s). */
  keepAliveTimeoutMs: number;
  /** A request head must be complete this long after its first byte, else 408 (node:http: 60 s). */
  headersTimeoutMs: number;
  /**
   * An upload that sends nothing for this long is cut off (nginx's `client_body_timeout`,
   * 60 s). Unlike node:http's 5-minute request timeout, a long upload that keeps moving is fine.
   */
  bodyIdleTimeoutMs: number;
}

/** How the router picks among a route's replicas. */
export type BalancingPolicy = "least-outstanding" | "round-robin";

/** What the router logs (upstream failures, conflicting routes): a pino logger fits as is. */
export interface RouterLogger {
  warn(details: object, message: string): void;
}

/** Options of `createRouter`. */
export interface RouterOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port to listen on. Default 7480; 0 picks a free port. */
  port?: number;
  /**
   * Share the port with other routers that set it too (SO_REUSEPORT, Linux): the kernel spreads
   * connections over them, as nginx does over its workers.
   */
  reusePort?: boolean;
  /** Default `least-outstanding` (ties broken round robin). */
  balancing?: BalancingPolicy;
  /**
   * How long an upstream may take to send its response headers before a 504 (checked by the
   * router's periodic sweep, so enforced within a quarter of it, at most a second late). Default 60 000 ms.
   */
  upstreamTimeoutMs?: number;
  /**
   * How long a replica that refused a connection is passed over before it gets traffic again
   * (unless every replica of the route is). Default 5000 ms.
   */
  refusedCooldownMs?: number;
  /**
   * How long the metrics of a release that left the routes are kept before they are dropped
   * (every deploy would otherwise add series forever). Default 10 minutes.
   */
  retiredSeriesTtlMs?: number;
  /** Client connection limits; each one left out keeps its default. */
  timeouts?: Partial<ClientTimeouts>;
  /** Where warnings (conflicting routes, upstream failures) go. Default: nowhere. */
  logger?: RouterLogger;
}

/** What a release has answered through the router: a canary's health is read from it. */
export interface ResponseCounts {
  total: number;
  /** 5xx answers, the replica's own and the router's (502/504) alike. */
  serverErrors: number;
}

/** The HTTP entrypoint in front of every service's replicas. */
export interface Router {
  /**
   * Replaces the whole route table at once. Replicas absent from the new table leave rotation
   * immediately (no new request reaches them); their in-flight requests finish normally.
   * Throws, keeping the current table, when an upstream URL is not `http://HOST:PORT`.
   */
  setRoutes(routes: RouteEntry[]): void;
  /** In-flight requests (and open WebSocket tunnels) on a replica; drains wait for 0. */
  outstanding(upstreamId: string): number;
  /** Responses of one release so far (kept while it is routed, and a while after). */
  responses(service: string, environment: string, release: string): ResponseCounts;
  /** The router's metrics in the Prometheus text exposition format. */
  metricsText(): Promise<string>;
  /** Starts listening; resolves with the router's base URL (`http://127.0.0.1:7480`). */
  listen(): Promise<{ url: string }>;
  /** Stops accepting connections, ends open ones and closes the upstream pools. */
  close(): Promise<void>;
}

/**
 * The router in a worker thread of its own (`createThreadedRouter`): the same operations, asked
 * by message, so the count of requests in flight comes back as a promise.
 */
export interface ThreadedRouter extends Omit<Router, "outstanding" | "responses"> {
  outstanding(upstreamId: string): Promise<number>;
  responses(service: string, environment: string, release: string): Promise<ResponseCounts>;
}

/** Either router, as the platform drives it. */
export type AnyRouter = Router | ThreadedRouter;
