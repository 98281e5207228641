/**
 * Slipway's HTTP entrypoint: routes by Host and path prefix to the ready replicas the deploy
 * controller hands it, balances, retries refused connections, tunnels WebSockets and counts
 * every request for Prometheus.
 */
export { createRouter, defaultRouterPort } from "./create-router.js";
export { createThreadedRouter } from "./threaded-router.js";
export type {
  AnyRouter,
  BalancingPolicy,
  ClientTimeouts,
  ResponseCounts,
  RouteEntry,
  Router,
  RouterLogger,
  RouterOptions,
  ThreadedRouter,
  Upstream,
} from "./types.js";
