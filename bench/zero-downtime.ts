/**
 * Zero downtime: a steady load through Slipway's router during 10 consecutive deploys of
 * examples/hello-api (2 replicas, maxSurge 1, maxUnavailable 0). The bar is 0 failed requests.
 * Latency during the deploys is compared with the same load on the idle service, in one run.
 *
 *   npm run build && node_modules/.bin/node --import ./bench/support/resolve-ts-sources.ts bench/zero-downtime.ts
 *
 * Knobs: BENCH_DEPLOYS (default 10), BENCH_CONNECTIONS (default 20), BENCH_IDLE_SECONDS (default 10).
 */
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startBenchPlatform } from "./support/platform.js";

const deploys = Number(process.env.BENCH_DEPLOYS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 20);
const idleSeconds = Number(process.env.BENCH_IDLE_SECONDS ?? 10);
const helloApi = fileURLToPath(new URL("../examples/hello-api", import.meta.url));
const host = "hello-api.staging.localhost";

type Result = Awaited<ReturnType<typeof autocannon>>;
/** autocannon's instance can be stopped early (its bundled typings here omit it). */
type Stoppable = { stop(): void };

function load(url: string, duration: number) {
  const instance = autocannon({ url, connections, duration, headers: { host }, timeout: 10 });
  const result = new Promise<Result>((resolve, reject) => {
    instance.on("done", resolve);
    instance.on("error", reject);
  });
  return { instance, result };
}

const platform = await startBenchPlatform();
try {
  const first = await platform.deployDir(helloApi, "staging");
  console.error(`hello-api v${first.version} live; measuring ${idleSeconds} s idle…`);
  const idle = await load(platform.routerUrl, idleSeconds).result;

  console.error(`now ${deploys} deploys under the same load…`);
  const during = load(platform.routerUrl, 3600);
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < deploys; i++) {
    const { ms, version } = await platform.deployDir(helloApi, "staging");
    times.push(ms);
    console.error(`  v${version} live after ${Math.round(ms)} ms`);
  }
  const window = (performance.now() - started) / 1000;
  (during.instance as unknown as Stoppable).stop();
  const busy = await during.result;

  const failed = (r: Result) => r.errors + r.timeouts + r.non2xx;
  const row = (name: string, r: Result) =>
    `| ${name} | ${r.requests.total} | ${failed(r)} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.latency.max} |`;
  console.log(
    `\n${deploys} deploys of hello-api in ${window.toFixed(1)} s, ${connections} connections through the router\n`,
  );
  console.log("| load | requests | failed | req/s | p50 ms | p99 ms | max ms |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
  console.log(row(`idle (${idleSeconds} s)`, idle));
  console.log(row(`during ${deploys} deploys (${window.toFixed(0)} s)`, busy));
  const sorted = [...times].sort((a, b) => a - b);
  console.log(
    `\nupload → live per deploy: median ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`,
  );
  console.log(
    failed(busy) === 0
      ? "\nPASS: 0 failed requests during the deploys"
      : `\nFAIL: ${failed(busy)} failed requests`,
  );
  process.exitCode = failed(busy) === 0 ? 0 : 1;
} finally {
  await platform.stop();
}
