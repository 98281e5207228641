import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { selectionPolicies } from "./balancer.js";
import { type Exchange, proxyRequest } from "./proxy-request.js";
import { proxyUpgrade } from "./proxy-upgrade.js";
import { requestIdFor } from "./request-id.js";
import { isBadTarget, type RequestTarget, readRequestTarget } from "./request-target.js";
import { RouteTable } from "./route-table.js";
import { type RequestOwner, RouterMetrics, releaseKey } from "./router-metrics.js";
import {
  badRequestProblem,
  noReadyReplicaProblem,
  noRouteProblem,
  type RouterProblem,
  sendProblem,
  writeProblemToSocket,
} from "./router-problem.js";
import { compileRoutes, type ServiceRoute } from "./service-route.js";
import type { Router, RouterOptions } from "./types.js";
import { UpstreamRegistry } from "./upstream-registry.js";
import type { UpstreamTarget } from "./upstream-target.js";

/** The router's port unless told otherwise. */
export const defaultRouterPort = 7480;
const defaultUpstreamTimeoutMs = 60_000;
/** Series of a release that left the routes stay this long, so Prometheus scrapes their last counts. */
const defaultRetiredSeriesTtlMs = 10 * 60_000;
/** Long enough to stop hammering a replica that is down, short enough to notice it came back. */
const defaultRefusedCooldownMs = 5_000;
const unrouted: RequestOwner = { service: "", environment: "" };

/** Where a request goes, or the problem that answers it instead. */
type Routing =
  | { route: ServiceRoute; upstream: UpstreamTarget }
  | { problem: RouterProblem; owner: RequestOwner };

/**
 * Creates Slipway's HTTP entrypoint. It routes by Host and path prefix to the ready replicas the
 * deploy controller hands it through `setRoutes`, and serves nothing else: `/metrics` is the
 * platform API's job (it calls `metricsText()`).
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
  const policy = selectionPolicies[options.balancing ?? "least-outstanding"];
  const logger = options.logger;
  const metrics = new RouterMetrics();
  const registry = new UpstreamRegistry({ upstreamTimeoutMs });
  const tunnels = new Set<Duplex>();
  let table = new RouteTable<ServiceRoute>([]);

  const onRouterError = (owner: RequestOwner, problem: Pick<RouterProblem, "reason">) =>
    metrics.routerError(owner, problem.reason);
  const refusedCooldownMs = options.refusedCooldownMs ?? defaultRefusedCooldownMs;
  const proxySettings = { policy, upstreamTimeoutMs, refusedCooldownMs, logger, onRouterError };

  const routeTo = (target: RequestTarget): Routing => {
    const route = table.match(target.host, target.path);
    if (route === undefined) {
      return { problem: noRouteProblem(target.host, target.path), owner: unrouted };
    }
    const upstream = policy(route);
    if (upstream === undefined) {
      return { problem: noReadyReplicaProblem(route.service, route.environment), owner: route };
    }
    return { route, upstream };
  };

  const answerProblem = (
    response: ServerResponse,
    owner: RequestOwner,
    problem: RouterProblem,
    requestId: string,
    started: number,
  ) => {
    metrics.requestStarted(owner);
    onRouterError(owner, problem);
    sendProblem(response, problem, requestId);
    response.once("close", () => {
      metrics.requestFinished(owner, "", response.statusCode, (performance.now() - started) / 1000);
    });
  };

  const handleRequest = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    const requestId = requestIdFor(request);
    const target = readRequestTarget(request);
    if (isBadTarget(target)) {
      answerProblem(response, unrouted, badRequestProblem(target.problem), requestId, started);
      return;
    }
    const routing = routeTo(target);
    if ("problem" in routing) {
      answerProblem(response, routing.owner, routing.problem, requestId, started);
      return;
    }
    const { route, upstream } = routing;
    const exchange: Exchange = { request, response, target, route, requestId, release: upstream.release };
    metrics.requestStarted(route);
    const proxied = proxyRequest(exchange, upstream, proxySettings);
    response.once("close", () => {
      if (!response.writableFinished) {
        proxied.clientGone();
      }
      const status = response.headersSent ? response.statusCode : undefined;
      metrics.requestFinished(route, exchange.release, status, (performance.now() - started) / 1000);
    });
  };

  const refuseUpgrade = (socket: Duplex, owner: RequestOwner, problem: RouterProblem, requestId: string) => {
    metrics.requestStarted(owner);
    onRouterError(owner, problem);
    writeProblemToSocket(socket, problem, requestId);
    metrics.requestFinished(owner, "", problem.status, 0);
  };

  const handleUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const started = performance.now();
    request.on("error", ignore);
    socket.on("error", ignore);
    const requestId = requestIdFor(request);
    const target = readRequestTarget(request);
    if (isBadTarget(target) || !isWebSocketUpgrade(request)) {
      const detail = isBadTarget(target) ? target.problem : "only WebSocket upgrades are proxied";
      refuseUpgrade(socket, unrouted, badRequestProblem(detail), requestId);
      return;
    }
    const routing = routeTo(target);
    if ("problem" in routing) {
      refuseUpgrade(socket, routing.owner, routing.problem, requestId);
      return;
    }
    const { route } = routing;
    metrics.requestStarted(route);
    tunnels.add(socket);
    // The histogram gets the handshake time: a tunnel's lifetime says nothing about latency.
    let answeredAt: number | undefined;
    const answered = () => {
      answeredAt ??= performance.now();
    };
    const done = (release: string, status: number) => {
      tunnels.delete(socket);
      metrics.requestFinished(route, release, status, ((answeredAt ?? performance.now()) - started) / 1000);
    };
    const exchange = { request, socket, head, target, route, requestId, answered, done };
    proxyUpgrade(exchange, routing.upstream, { policy, upstreamTimeoutMs, onRouterError });
  };

  const server = createServer({ shouldUpgradeCallback: isWebSocketUpgrade }, handleRequest);
  server.on("upgrade", handleUpgrade);
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Requests Node's parser refused (headers too large, garbage): a short problem, then close.
    if (error.code === "ECONNRESET" || !socket.writable) {
      socket.destroy();
      return;
    }
    const problem =
      error.code === "HPE_HEADER_OVERFLOW"
        ? badRequestProblem("request headers are too large", 431)
        : badRequestProblem(`malformed HTTP request (${error.code ?? "parse error"})`);
    metrics.routerError(unrouted, problem.reason);
    writeProblemToSocket(socket, problem);
  });

  return {
    setRoutes(routes) {
      const compiled = compileRoutes(routes, registry);
      table = compiled.table;
      const routed = new Set(
        routes.flatMap((route) =>
          route.upstreams.map((u) => releaseKey(route.service, route.environment, u.release)),
        ),
      );
      metrics.retainReleases(routed, Date.now(), options.retiredSeriesTtlMs ?? defaultRetiredSeriesTtlMs);
      for (const conflict of compiled.conflicts) {
        logger?.warn(
          conflict,
          `two routes claim host ${conflict.host} path ${conflict.pathPrefix}: the first wins`,
        );
      }
    },
    outstanding: (upstreamId) => registry.outstanding(upstreamId),
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
        server.listen(port, host, () => {
          server.off("error", failed);
          const bound = (server.address() as AddressInfo).port;
          resolve({ url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}` });
        });
      }),
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of tunnels) {
        socket.destroy();
      }
      await registry.destroyAll();
      await closed;
    },
  };
}

function isWebSocketUpgrade(request: IncomingMessage): boolean {
  return request.headers.upgrade?.toLowerCase() === "websocket";
}

function ignore(): void {}
