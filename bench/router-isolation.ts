/**
 * Routing while the platform is busy: hello-api's latency through `slipway up`'s router, idle and
 * while the API answers a steady stream of status requests, with the router in its own worker
 * thread (the default) and on the platform's event loop, side by side in one run.
 *
 *   npm run build
 *   node_modules/.bin/node --import ./bench/support/resolve-ts-sources.ts bench/router-isolation.ts
 *
 * The routed load is the paced C generator (bench/support/paced-load.c; needs `cc`): RATE req/s
 * over 20 connections, latency counted from each request's due time. The API load is autocannon's
 * CLI in its own process, 10 connections on GET /api/v1/services/hello-api/status (store reads,
 * validation, JSON: the platform's everyday work). Knobs: BENCH_RATE (default 5000),
 * BENCH_DURATION (seconds per measurement, default 6), BENCH_ROUNDS (default 3; medians count).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { PacedResult } from "./support/paced-load.js";
import { nativePacedLatency, nativePacedLoad } from "./support/paced-load-native.js";
import { startBenchPlatform } from "./support/platform.js";

const rate = Number(process.env.BENCH_RATE ?? 5000);
const duration = Number(process.env.BENCH_DURATION ?? 6);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const helloApi = fileURLToPath(new URL("../examples/hello-api", import.meta.url));
const autocannonCli = fileURLToPath(new URL("../node_modules/autocannon/autocannon.js", import.meta.url));
const host = "hello-api.staging.localhost";

const generator = nativePacedLoad();
if (generator === undefined) {
  console.error("this benchmark needs a C compiler (cc) for the paced load generator");
  process.exit(2);
}

interface ModeResult {
  idle: PacedResult[];
  busy: PacedResult[];
  apiRequests: number[];
}

/** autocannon in its own process, so this one stays free to run the paced generator. */
function apiLoad(
  url: string,
  token: string,
  seconds: number,
): { child: ChildProcess; requests: Promise<number> } {
  const child = spawn(
    process.execPath,
    [autocannonCli, "-c", "10", "-d", String(seconds), "-j", "-H", `authorization=Bearer ${token}`, url],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const requests = once(child, "exit").then(
    () => (JSON.parse(output) as { requests: { total: number } }).requests.total,
  );
  return { child, requests };
}

async function measure(mode: string, env: Record<string, string>): Promise<ModeResult> {
  const platform = await startBenchPlatform(env);
  const result: ModeResult = { idle: [], busy: [], apiRequests: [] };
  try {
    await platform.deployDir(helloApi, "staging");
    const paced = () =>
      nativePacedLatency(generator as string, {
        url: platform.routerUrl,
        host,
        rate,
        durationSeconds: duration,
        connections: 20,
      });
    for (let round = 1; round <= rounds; round++) {
      const idle = paced();
      // The API load runs a second longer on both ends than the routed measurement.
      const api = apiLoad(`${platform.url}/api/v1/services/hello-api/status`, platform.token, duration + 3);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const busy = paced();
      const apiRequests = await api.requests;
      console.error(
        `${mode}, round ${round}: idle p99 ${idle.p99.toFixed(2)} ms; API busy p99 ${busy.p99.toFixed(2)} ms ` +
          `(API ${Math.round(apiRequests / (duration + 3))} req/s)`,
      );
      result.idle.push(idle);
      result.busy.push(busy);
      result.apiRequests.push(apiRequests / (duration + 3));
    }
  } finally {
    await platform.stop();
  }
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const modes: [string, Record<string, string>][] = [
  ["router thread (default)", {}],
  ["router on the platform's event loop", { SLIPWAY_ROUTER_IN_PROCESS: "1" }],
];
const results: [string, ModeResult][] = [];
for (const [mode, env] of modes) {
  results.push([mode, await measure(mode, env)]);
}
const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(2));
console.log(
  `hello-api through slipway up's router at ${rate} req/s (paced, 20 connections, ${duration} s), ` +
    `idle and while 10 connections ask the API for its status; median of ${rounds} rounds\n`,
);
console.log(
  "| router | p50 idle (ms) | p99 idle (ms) | p50 API busy (ms) | p99 API busy (ms) | API req/s | errors |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const [mode, result] of results) {
  const errors = [...result.idle, ...result.busy].reduce((sum, run) => sum + run.errors, 0);
  console.log(
    `| ${mode} | ${ms(median(result.idle.map((r) => r.p50)))} | ${ms(median(result.idle.map((r) => r.p99)))} | ` +
      `${ms(median(result.busy.map((r) => r.p50)))} | ${ms(median(result.busy.map((r) => r.p99)))} | ` +
      `${Math.round(median(result.apiRequests))} | ${errors} |`,
  );
}
