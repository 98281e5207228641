import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RouterErrorReason } from "./router-problem.js";

/** Whose request it was; `service: ""` for requests no route matched (bounded cardinality). */
export interface RequestOwner {
  service: string;
  environment: string;
}

/**
 * The router's own Prometheus metrics, in a registry of its own (never prom-client's global
 * one, so two routers in one process, or tests, do not mix their numbers).
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "slipway_http_requests_total",
    help: "HTTP requests answered through the router, by status class (1xx…5xx).",
    labelNames: ["service", "environment", "release", "code_class"] as const,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: "slipway_http_request_duration_seconds",
    help: "Time from the request's arrival at the router to the end of its response.",
    labelNames: ["service", "environment", "release"] as const,
    // Prometheus' default buckets, .005 s to 10 s.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly inFlight = new Gauge({
    name: "slipway_http_requests_in_flight",
    help: "Requests (and WebSocket tunnels) the router is handling right now.",
    labelNames: ["service", "environment"] as const,
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: "slipway_router_errors_total",
    help: "Requests the router answered (or cut) itself, by reason.",
    labelNames: ["service", "environment", "reason"] as const,
    registers: [this.registry],
  });

  requestStarted(owner: RequestOwner): void {
    this.inFlight.inc({ service: owner.service, environment: owner.environment });
  }

  /**
   * Records a finished request. `status` is undefined when the client went away before any
   * response header was sent: counted as 499 (nginx's "client closed request"), a 4xx.
   */
  requestFinished(owner: RequestOwner, release: string, status: number | undefined, seconds: number): void {
    const { service, environment } = owner;
    this.inFlight.dec({ service, environment });
    const code_class = `${Math.trunc((status ?? 499) / 100)}xx`;
    this.requests.inc({ service, environment, release, code_class });
    this.duration.observe({ service, environment, release }, seconds);
  }

  routerError(owner: RequestOwner, reason: RouterErrorReason): void {
    this.errors.inc({ service: owner.service, environment: owner.environment, reason });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
