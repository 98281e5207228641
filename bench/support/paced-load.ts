import { Pool } from "undici";

/** Latency percentiles of one paced run, in milliseconds. */
export interface PacedResult {
  p50: number;
  p99: number;
  completed: number;
  errors: number;
  /** How far behind schedule the generator ever got (ms): large values void the run. */
  maxLagMs: number;
}

/**
 * An open-loop load at a steady rate: one request every 1/rate seconds, spread evenly, over up to
 * `connections` keep-alive connections. autocannon's `overallRate` instead lets every connection
 * send its per-second quota back to back at the start of each second, so its "half load" is full
 * load for half of every second; this one measures latency under a genuinely half-busy proxy.
 * Latency is from the moment a request is dispatched to the last byte of its response.
 */
export async function pacedLatency(options: {
  url: string;
  host: string;
  rate: number;
  durationSeconds: number;
  connections: number;
}): Promise<PacedResult> {
  const pool = new Pool(options.url, { connections: options.connections });
  try {
    // Open and warm the connections first: a cold start queues requests behind connects.
    await runPaced(pool, options.host, options.rate, 1);
    return await runPaced(pool, options.host, options.rate, options.durationSeconds);
  } finally {
    await pool.close();
  }
}

async function runPaced(pool: Pool, host: string, rate: number, seconds: number): Promise<PacedResult> {
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  let maxLagMs = 0;
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let settled = 0;
    const settle = () => {
      settled++;
      if (settled === total) {
        resolve();
      }
    };
    const send = () => {
      const dispatchedAt = performance.now();
      let status = 0;
      pool.dispatch(
        { path: "/", method: "GET", headers: { host } },
        {
          onRequestStart() {},
          onResponseStart(_controller, statusCode) {
            status = statusCode;
          },
          onResponseData() {},
          onResponseEnd() {
            latencies.push(performance.now() - dispatchedAt);
            errors += status === 200 ? 0 : 1;
            settle();
          },
          onResponseError() {
            errors++;
            settle();
          },
        },
      );
    };
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        maxLagMs = Math.max(maxLagMs, now - (start + sent * interval));
        sent++;
        send();
      }
      if (sent < total) {
        setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      }
    };
    tick();
  });
  latencies.sort((a, b) => a - b);
  const at = (fraction: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(fraction * latencies.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), completed: latencies.length, errors, maxLagMs };
}
