import type { AddressInfo } from "node:net";
import { createServer, type Socket } from "node:net";
import { selectionPolicies } from "./balancer.js";
import { ClientConnection, type ClientConnectionHost } from "./client-connection.js";
import type { ParseError } from "./http-parser.js";
import { ProblemExchange } from "./problem-exchange.js";
import { ProxyExchange, type ProxySettings } from "./proxy-exchange.js";
import { proxyUpgrade } from "./proxy-upgrade.js";
import type { RequestHead } from "./request-head.js";
import { requestIdFor } from "./request-id.js";
import { isBadTarget, type RequestTarget, readRequestTarget } from "./request-target.js";
import { RouteTable } from "./route-table.js";
import { type RequestOwner, RouterMetrics, releaseKey } from "./router-metrics.js";
import {
  badRequestProblem,
  noReadyReplicaProblem,
  noRouteProblem,
  problemResponse,
  type RouterProblem,
  writeProblemToSocket,
} from "./router-problem.js";
import { compileRoutes, type ServiceRoute } from "./service-route.js";
import { SplitCountsByRoute, splitAware } from "./traffic-split.js";
import type { ClientTimeouts, Router, RouterOptions } from "./types.js";
import { UpstreamRegistry } from "./upstream-registry.js";

/** The router's port unless told otherwise. */
export const defaultRouterPort = 7480;
const defaultUpstreamTimeoutMs = 60_000;
/** Series of a release that left the routes stay this long, so Prometheus scrapes their last counts. */
const defaultRetiredSeriesTtlMs = 10 * 60_000;
/** Long enough to stop hammering a replica that is down, short enough to notice it came back. */
const defaultRefusedCooldownMs = 5_000;
const defaultTimeouts: ClientTimeouts = {
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 60_000,
  bodyIdleTimeoutMs: 60_000,
};
/** How often connection time limits and idle replica connections are checked (at most). */
const maxSweepIntervalMs = 1_000;
const unrouted: RequestOwner = { service: "", environment: "" };

/** Where a request head leads: a route, or the problem that answers it instead. */
type Routing = { requestId: string } & (
  | { target: RequestTarget; route: ServiceRoute; problem?: undefined }
  | { owner: RequestOwner; problem: RouterProblem }
);

/**
 * Creates Slipway's HTTP entrypoint. It routes by Host and path prefix to the ready replicas the
 * deploy controller hands it through `setRoutes`, and serves nothing else: `/metrics` is the
 * platform API's job (it calls `metricsText()`).
 *
 * HTTP/1.1 is spoken on raw sockets with Node's llhttp parser on both sides (see
 * docs/architecture.md: node:http's streams cost more than the proxying).
 *
 * @example
 * const router = createRouter({ port: 0 });
 * router.setRoutes([{ service: "web", environment: "staging", hosts: ["web.staging.localhost"],
 *   pathPrefix: "/", upstreams: [{ id: "web-1", url: "http://127.0.0.1:41234", release: "v3" }] }]);
 * const { url } = await router.listen();
 */
export function createRouter(options: RouterOptions = {}): Router {
  const host = options.host ?? "127.0.0.1";
  const upstreamTimeoutMs = options.upstreamTimeoutMs ?? defaultUpstreamTimeoutMs;
  const splitCounts = new SplitCountsByRoute();
  const policy = splitAware(selectionPolicies[options.balancing ?? "least-outstanding"]);
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const metrics = new RouterMetrics();
  const registry = new UpstreamRegistry();
  const connections = new Set<ClientConnection>();
  const tunnels = new Set<Socket>();
  let table = new RouteTable<ServiceRoute>([]);

  const settings: ProxySettings = {
    policy,
    upstreamTimeoutMs,
    refusedCooldownMs: options.refusedCooldownMs ?? defaultRefusedCooldownMs,
    logger: options.logger,
    metrics,
  };
  const onRouterError = (owner: RequestOwner, problem: Pick<RouterProblem, "reason">) =>
    metrics.routerError(owner, problem.reason);

  // The same for plain requests and WebSocket handshakes.
  const routeRequest = (head: RequestHead): Routing => {
    const requestId = requestIdFor(head.requestId);
    const target = readRequestTarget(head);
    if (isBadTarget(target)) {
      return { requestId, owner: unrouted, problem: badRequestProblem(target.problem) };
    }
    const route = table.match(target.host, target.path);
    if (route === undefined) {
      return { requestId, owner: unrouted, problem: noRouteProblem(target.host, target.path) };
    }
    return { requestId, target, route };
  };

  const connectionHost: ClientConnectionHost = {
    exchangeFor(connection, head) {
      const routing = routeRequest(head);
      if (routing.problem !== undefined) {
        const { owner, problem, requestId } = routing;
        return new ProblemExchange(connection, owner, problem, requestId, !head.keepAlive, metrics);
      }
      return new ProxyExchange(connection, head, routing.target, routing.route, routing.requestId, settings);
    },
    upgrade: (socket, head, rest) => handleUpgrade(socket, head, rest),
    parseFailed(error: ParseError) {
      const problem =
        error.code === "HPE_HEADER_OVERFLOW"
          ? badRequestProblem("request headers are too large", 431)
          : badRequestProblem(`malformed HTTP request (${error.code})`);
      metrics.routerError(unrouted, problem.reason);
      return problemResponse(problem, undefined, true);
    },
    headersTimedOut() {
      const problem = { ...badRequestProblem("the request head did not arrive in time"), status: 408 };
      metrics.routerError(unrouted, problem.reason);
      return problemResponse(problem, undefined, true);
    },
    closed: (connection) => connections.delete(connection),
  };

  const refuseUpgrade = (socket: Socket, owner: RequestOwner, problem: RouterProblem, requestId: string) => {
    metrics.requestStarted(owner);
    onRouterError(owner, problem);
    writeProblemToSocket(socket, problem, requestId);
    // Read (and drop) until the client closes too, but do not wait for it forever.
    socket.resume();
    socket.setTimeout(timeouts.keepAliveTimeoutMs, () => socket.destroy());
    metrics.requestFinished(owner, "", problem.status, 0);
  };

  const handleUpgrade = (socket: Socket, head: RequestHead, rest: Buffer): void => {
    const started = performance.now();
    socket.on("error", () => socket.destroy());
    // Tracked from the handshake on, refused ones too, so close() ends every one of them.
    tunnels.add(socket);
    socket.once("close", () => tunnels.delete(socket));
    const routing = routeRequest(head);
    if (routing.problem !== undefined) {
      refuseUpgrade(socket, routing.owner, routing.problem, routing.requestId);
      return;
    }
    const { requestId, target, route } = routing;
    const upstream = policy(route);
    if (upstream === undefined) {
      refuseUpgrade(socket, route, noReadyReplicaProblem(route), requestId);
      return;
    }
    metrics.requestStarted(route);
    // The histogram gets the handshake time: a tunnel's lifetime says nothing about latency.
    let answeredAt: number | undefined;
    const answered = () => {
      answeredAt ??= performance.now();
    };
    const done = (release: string, status: number) => {
      metrics.requestFinished(route, release, status, ((answeredAt ?? performance.now()) - started) / 1000);
    };
    const exchange = { head, socket, rest, target, route, requestId, answered, done };
    proxyUpgrade(exchange, upstream, { policy, upstreamTimeoutMs, onRouterError });
  };

  // Accepted paused, so the connection can choose how it reads before the first byte.
  const server = createServer({ noDelay: true, pauseOnConnect: true }, (socket) => {
    connections.add(new ClientConnection(socket, connectionHost));
  });
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const connection of connections) {
        connection.sweep(now, timeouts);
      }
      registry.sweep(now);
    },
    sweepIntervalFor(timeouts, upstreamTimeoutMs),
  );
  sweep.unref();

  return {
    setRoutes(routes) {
      const compiled = compileRoutes(routes, registry, splitCounts);
      table = compiled.table;
      const routed = new Set(
        routes.flatMap((route) =>
          route.upstreams.map((u) => releaseKey(route.service, route.environment, u.release)),
        ),
      );
      metrics.retainReleases(routed, Date.now(), options.retiredSeriesTtlMs ?? defaultRetiredSeriesTtlMs);
      for (const conflict of compiled.conflicts) {
        options.logger?.warn(
          conflict,
          `two routes claim host ${conflict.host} path ${conflict.pathPrefix}: the first wins`,
        );
      }
    },
    outstanding: (upstreamId) => registry.outstanding(upstreamId),
    responses: (service, environment, release) => metrics.responses(service, environment, release),
    metricsText: () => metrics.text(),
    listen: () =>
      new Promise((resolve, reject) => {
        const port = options.port ?? defaultRouterPort;
        const failed = (error: Error) =>
          reject(
            // Keeps the system's code (EADDRINUSE…) so callers can explain it.
            Object.assign(
              new Error(`the router cannot listen on ${host}:${port}: ${error.message}`, { cause: error }),
              {
                code: (error as NodeJS.ErrnoException).code,
                router: true,
              },
            ),
          );
        server.once("error", failed);
        server.listen({ port, host, reusePort: options.reusePort === true }, () => {
          server.off("error", failed);
          const bound = (server.address() as AddressInfo).port;
          resolve({ url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}` });
        });
      }),
    close: async () => {
      clearInterval(sweep);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const connection of connections) {
        connection.destroy();
      }
      for (const socket of tunnels) {
        socket.destroy();
      }
      registry.destroyAll();
      await closed;
    },
  };
}

/** Often enough that a limit is enforced within a quarter of its length, at most once a second. */
function sweepIntervalFor(timeouts: ClientTimeouts, upstreamTimeoutMs: number): number {
  const shortest = Math.min(
    timeouts.keepAliveTimeoutMs,
    timeouts.headersTimeoutMs,
    timeouts.bodyIdleTimeoutMs,
    upstreamTimeoutMs,
  );
  return Math.max(25, Math.min(maxSweepIntervalMs, shortest / 4));
}
