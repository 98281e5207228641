import { Counter, Gauge, Registry } from "prom-client";
import type { RouterErrorReason } from "./router-problem.js";
import type { ResponseCounts } from "./types.js";

/** Whose request it was; `service: ""` for requests no route matched (bounded cardinality). */
export interface RequestOwner {
  readonly service: string;
  readonly environment: string;
}

/** Counts kept per service and environment. */
interface OwnerTally {
  readonly labels: { service: string; environment: string };
  inFlight: number;
  readonly releases: Map<string, ReleaseTally>;
}

// Prometheus' default buckets, .005 s to 10 s.
const durationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const durationName = "slipway_http_request_duration_seconds";

/** Counts kept per release: responses by status class, index 1 for 1xx … 9 for 9xx. */
interface ReleaseTally {
  readonly labels: { service: string; environment: string; release: string };
  readonly byClass: number[];
  /** Request durations per bucket (not cumulative; the last one is +Inf), their sum and count. */
  readonly durationCounts: number[];
  durationSum: number;
  /** When the release left the route table; its series go a while later. */
  retiredAt?: number;
}

/**
 * The router's own Prometheus metrics, in a registry of its own (never prom-client's global
 * one, so two routers in one process, or tests, do not mix their numbers).
 *
 * Request counts, in-flight gauges and the duration histogram are plain numbers on the hot
 * path and handed to prom-client when scraped (its `collect` hook, or a metric object of our own
 * for the histogram): prom-client validates and hashes the labels on every call, which costs
 * more than the rest of the bookkeeping of a proxied request.
 */
export class RouterMetrics {
  readonly registry = new Registry();
  private readonly owners = new Map<string, OwnerTally>();
  // Route objects are replaced on every setRoutes; the string-keyed map above outlives them.
  private readonly ownerOf = new WeakMap<RequestOwner, OwnerTally>();
  private readonly errors: Counter<"service" | "environment" | "reason">;

  constructor() {
    const owners = this.owners;
    new Counter({
      name: "slipway_http_requests_total",
      help: "HTTP requests answered through the router, by status class (1xx…5xx).",
      labelNames: ["service", "environment", "release", "code_class"] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const owner of owners.values()) {
          for (const tally of owner.releases.values()) {
            tally.byClass.forEach((count, index) => {
              if (count > 0) {
                this.inc({ ...tally.labels, code_class: `${index}xx` }, count);
              }
            });
          }
        }
      },
    });
    new Gauge({
      name: "slipway_http_requests_in_flight",
      help: "Requests (and WebSocket tunnels) the router is handling right now.",
      labelNames: ["service", "environment"] as const,
      registers: [this.registry],
      collect() {
        for (const owner of owners.values()) {
          this.set(owner.labels, owner.inFlight);
        }
      },
    });
    this.registry.registerMetric(durationHistogram(owners) as never);
    this.errors = new Counter({
      name: "slipway_router_errors_total",
      help: "Requests the router answered (or cut) itself, by reason.",
      labelNames: ["service", "environment", "reason"] as const,
      registers: [this.registry],
    });
  }

  requestStarted(owner: RequestOwner): void {
    this.tally(owner).inFlight++;
  }

  /**
   * Records a finished request. `status` is undefined when the client went away before any
   * response header was sent: counted as 499 (nginx's "client closed request"), a 4xx.
   */
  requestFinished(owner: RequestOwner, release: string, status: number | undefined, seconds: number): void {
    const tally = this.tally(owner);
    tally.inFlight--;
    const releaseTally = tally.releases.get(release) ?? this.addRelease(tally, release);
    const statusClass = Math.min(9, Math.max(1, Math.trunc((status ?? 499) / 100)));
    releaseTally.byClass[statusClass] = (releaseTally.byClass[statusClass] ?? 0) + 1;
    let bucket = 0;
    while (bucket < durationBuckets.length && seconds > (durationBuckets[bucket] as number)) {
      bucket++;
    }
    releaseTally.durationCounts[bucket] = (releaseTally.durationCounts[bucket] ?? 0) + 1;
    releaseTally.durationSum += seconds;
  }

  routerError(owner: RequestOwner, reason: RouterErrorReason): void {
    this.errors.inc({ service: owner.service, environment: owner.environment, reason });
  }

  text(): Promise<string> {
    this.dropRetired(Date.now());
    return this.registry.metrics();
  }

  /**
   * Marks the releases no longer routed as retired and forgets their series once `ttlMs` has
   * passed, so every deploy does not add series forever; the grace lets Prometheus scrape the
   * final counts first (a counter that disappears is what `rate()` expects of a gone target).
   */
  retainReleases(active: ReadonlySet<string>, now: number, ttlMs: number): void {
    this.ttlMs = ttlMs;
    for (const owner of this.owners.values()) {
      for (const [release, tally] of owner.releases) {
        const routed =
          release === "" || active.has(releaseKey(owner.labels.service, owner.labels.environment, release));
        if (routed) {
          delete tally.retiredAt;
        } else {
          tally.retiredAt ??= now;
        }
      }
    }
    this.dropRetired(now);
  }

  private ttlMs = 10 * 60_000;

  private dropRetired(now: number): void {
    for (const owner of this.owners.values()) {
      for (const [release, tally] of owner.releases) {
        if (tally.retiredAt !== undefined && now - tally.retiredAt >= this.ttlMs) {
          owner.releases.delete(release);
        }
      }
    }
  }

  /** How many responses a release gave, and how many of them were 5xx. */
  responses(service: string, environment: string, release: string): ResponseCounts {
    const tally = this.owners.get(`${service}\n${environment}`)?.releases.get(release);
    if (tally === undefined) {
      return { total: 0, serverErrors: 0 };
    }
    return {
      total: tally.byClass.reduce((sum, count) => sum + count, 0),
      serverErrors: tally.byClass[5] ?? 0,
    };
  }

  private tally(owner: RequestOwner): OwnerTally {
    const cached = this.ownerOf.get(owner);
    if (cached !== undefined) {
      return cached;
    }
    const key = `${owner.service}\n${owner.environment}`;
    let tally = this.owners.get(key);
    if (tally === undefined) {
      tally = {
        labels: { service: owner.service, environment: owner.environment },
        inFlight: 0,
        releases: new Map(),
      };
      this.owners.set(key, tally);
    }
    this.ownerOf.set(owner, tally);
    return tally;
  }

  private addRelease(owner: OwnerTally, release: string): ReleaseTally {
    const tally: ReleaseTally = {
      labels: { ...owner.labels, release },
      byClass: new Array(10).fill(0),
      durationCounts: new Array(durationBuckets.length + 1).fill(0),
      durationSum: 0,
    };
    owner.releases.set(release, tally);
    return tally;
  }
}

/** The key `retainReleases` matches routed releases by. */
export function releaseKey(service: string, environment: string, release: string): string {
  return `${service}\n${environment}\n${release}`;
}

/**
 * The request duration histogram as a prom-client metric object that reads the tallies at
 * scrape time, in the exposition prom-client's own Histogram produces (cumulative `le` buckets
 * first in the labels, then `_sum` and `_count`).
 */
function durationHistogram(owners: Map<string, OwnerTally>) {
  const help = "Time from the request's arrival at the router to the end of its response.";
  const snapshot = () => {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const owner of owners.values()) {
      for (const tally of owner.releases.values()) {
        let cumulative = 0;
        tally.durationCounts.forEach((count, index) => {
          cumulative += count;
          const le = index < durationBuckets.length ? (durationBuckets[index] as number) : "+Inf";
          values.push({
            metricName: `${durationName}_bucket`,
            labels: { le, ...tally.labels },
            value: cumulative,
          });
        });
        values.push({ metricName: `${durationName}_sum`, labels: tally.labels, value: tally.durationSum });
        values.push({ metricName: `${durationName}_count`, labels: tally.labels, value: cumulative });
      }
    }
    return { name: durationName, help, type: "histogram", values, aggregator: "sum" };
  };
  return { name: durationName, help, type: "histogram", aggregator: "sum", get: snapshot, reset() {} };
}
