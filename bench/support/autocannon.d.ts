// The few parts of autocannon's programmatic API the benchmarks use (it ships no types).
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    /** Requests per second over all connections. */
    overallRate?: number;
    headers?: Record<string, string>;
    timeout?: number;
  }

  interface Stats {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
  }

  interface Result {
    requests: Stats & { total: number; sent: number };
    latency: Stats;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
  }

  /** Emits `response` (client, statusCode, bytes, responseTimeMs) for every response. */
  interface Instance extends EventEmitter, PromiseLike<Result> {}

  function autocannon(options: Options): Instance;
  export default autocannon;
}
