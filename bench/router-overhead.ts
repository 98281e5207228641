/**
 * Router overhead: the same hello-world replica measured direct, through Slipway's router and
 * through nginx (Debian's package), side by side in one run, all on 127.0.0.1; and through the
 * least a Node proxy can do (bench/experiments/raw-passthrough.mjs, GET only), as the floor this
 * machine sets for any Node process.
 *
 * Run from the repository root (Node 24 runs the TypeScript sources itself; the --import hook
 * maps their `.js` import specifiers to the `.ts` files):
 *
 *   node_modules/.bin/node --import ./bench/support/resolve-ts-sources.ts bench/router-overhead.ts
 *
 * Needs /usr/sbin/nginx (`apt-get install -y nginx`); uses /usr/bin/wrk too when installed
 * (`apt-get install -y wrk`). Knobs, as environment variables: BENCH_DURATION (seconds per
 * measurement, default 10), BENCH_CONNECTIONS (default 50), BENCH_ROUNDS (max-rate rounds per
 * target, interleaved; the best counts; default 2), BENCH_LATENCY_ROUNDS (latency rounds per
 * target, interleaved; the median p50/p99 counts; default 3), BENCH_PINNED_ROUNDS (paced rounds with
 * the proxy on a core of its own; default 3, 0 skips them).
 *
 * Method:
 * 1. Maximum rate: autocannon's average requests/s over BENCH_CONNECTIONS connections, and
 *    wrk's (one thread, same connections). autocannon is JavaScript and needs about as much CPU
 *    per request as the proxies themselves, so on a small machine it can be the limit; wrk, in C,
 *    needs far less and shows the proxies' own cost more plainly. Both are reported.
 * 2. Latency at half load: every target gets the same offered load, half of the router's
 *    maximum, twice: with autocannon's `overallRate` (which sends each connection's per-second
 *    quota in a burst at the start of every second) and with an evenly paced open-loop load
 *    (bench/support/paced-load.ts). p50/p99 come from every single response time (sub-ms).
 * 3. The paced load again with the proxy on a core of its own (taskset: the proxies on CPU 1,
 *    upstream and generator on CPU 0), as on a real router host where the load does not come from
 *    the same two cores. On 2 cores, step 2 measures the scheduler as much as the proxy: three
 *    busy processes share two cores there.
 * The upstream and each proxy run in their own process; the load runs in this one.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import autocannon from "autocannon";
import { canPinCpus, pinProcessTree } from "./support/cpu-affinity.js";
import { nginxBinary, startNginx } from "./support/nginx.js";
import { type PacedResult, pacedLatency } from "./support/paced-load.js";
import { nativePacedLatency, nativePacedLoad } from "./support/paced-load-native.js";
import { startTsProcess } from "./support/processes.js";

const duration = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const latencyRounds = Number(process.env.BENCH_LATENCY_ROUNDS ?? 3);
const pinnedRounds = Number(process.env.BENCH_PINNED_ROUNDS ?? 3);
const wrkBinary = "/usr/bin/wrk";
/** Which paced generator measured the latencies (C when a compiler is there). */
let generatorName = "JavaScript";
const host = "hello.bench.localhost";
const floorName = "minimal Node passthrough (floor)";

interface Target {
  name: string;
  url: string;
}

interface Latency {
  p50: number;
  p99: number;
}

interface Measurement {
  maxRps: number;
  /** wrk's maximum, when wrk is installed. */
  wrkRps: number | undefined;
  burst: Latency;
  paced: Latency;
  /** The paced load with the proxy on a core of its own, when CPUs could be pinned. */
  pinned: Latency | undefined;
  errors: number;
}

async function maxRate(target: Target): Promise<{ rps: number; errors: number }> {
  const result = await autocannon({ url: target.url, connections, duration, headers: { host } });
  return { rps: result.requests.average, errors: result.errors + result.timeouts + result.non2xx };
}

/** wrk's requests/s (one thread), or undefined when wrk is not installed. */
function wrkRate(target: Target): { rps: number; errors: number } | undefined {
  if (!existsSync(wrkBinary)) {
    return undefined;
  }
  const run = spawnSync(
    wrkBinary,
    ["-t1", `-c${connections}`, `-d${duration}s`, "-H", `Host: ${host}`, `${target.url}/`],
    { encoding: "utf8" },
  );
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(run.stdout)?.[1] ?? Number.NaN);
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(run.stdout)?.[1];
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    run.stdout,
  );
  const socketErrorCount =
    socketErrors === null ? 0 : socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0);
  return { rps, errors: Number(errors ?? 0) + socketErrorCount };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Latency under autocannon's `overallRate` (bursty: see the method above). */
async function burstLatencyAt(target: Target, rate: number): Promise<Latency & { errors: number }> {
  const times: number[] = [];
  const run = autocannon({ url: target.url, connections, duration, overallRate: rate, headers: { host } });
  run.on("response", (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    times.push(responseTimeMs);
  });
  const result = await run;
  times.sort((a, b) => a - b);
  const at = (fraction: number) =>
    times[Math.min(times.length - 1, Math.floor(fraction * times.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), errors: result.errors + result.timeouts + result.non2xx };
}

function nginxVersion(): string {
  const run = spawnSync(nginxBinary, ["-v"], { encoding: "utf8" });
  return (run.stderr || run.stdout).trim().replace("nginx version: ", "");
}

async function main(): Promise<void> {
  const upstream = await startTsProcess(new URL("./support/hello-upstream.ts", import.meta.url));
  const upstreamUrl = `http://127.0.0.1:${upstream.announced}`;
  const router = await startTsProcess(new URL("./support/router-process.ts", import.meta.url), [upstreamUrl]);
  // The least a Node proxy can do (bench/experiments/raw-passthrough.mjs: bytes passed through,
  // no parsing, GET only): what this machine allows a Node process, as a floor for the router.
  const floor = await startTsProcess(new URL("./experiments/raw-passthrough.mjs", import.meta.url), [
    upstream.announced,
  ]);
  const nginx = await startNginx(Number(upstream.announced)).catch(async (error: Error) => {
    await Promise.all([router.stop(), floor.stop(), upstream.stop()]);
    console.error(error.message);
    process.exit(2);
  });
  const targets: Target[] = [
    { name: "direct", url: upstreamUrl },
    { name: "slipway router", url: router.announced },
    { name: "nginx", url: nginx.url },
    { name: floorName, url: floor.announced },
  ];
  try {
    console.error(`warming up each target for 2 s…`);
    for (const target of targets) {
      await autocannon({ url: target.url, connections, duration: 2, headers: { host } });
    }
    const best = new Map<string, { rps: number; errors: number }>();
    const bestWrk = new Map<string, { rps: number; errors: number }>();
    for (let round = 1; round <= rounds; round++) {
      for (const target of targets) {
        const measured = await maxRate(target);
        const withWrk = wrkRate(target);
        console.error(
          `round ${round}: ${target.name} ${Math.round(measured.rps)} req/s (autocannon)` +
            (withWrk === undefined ? "" : `, ${Math.round(withWrk.rps)} req/s (wrk)`),
        );
        const previous = best.get(target.name);
        if (previous === undefined || measured.rps > previous.rps) {
          best.set(target.name, measured);
        }
        const previousWrk = bestWrk.get(target.name);
        if (withWrk !== undefined && (previousWrk === undefined || withWrk.rps > previousWrk.rps)) {
          bestWrk.set(target.name, withWrk);
        }
      }
    }
    const rate = Math.max(1, Math.round((best.get("slipway router")?.rps ?? 2) / 2));
    const native = nativePacedLoad();
    console.error(
      `paced load: ${native === undefined ? "JavaScript generator (no cc)" : `C generator ${native}`}`,
    );
    const paced = (target: Target) => {
      const options = { url: target.url, host, rate, durationSeconds: duration, connections };
      return native === undefined
        ? pacedLatency(options)
        : Promise.resolve(nativePacedLatency(native, options));
    };
    generatorName = native === undefined ? "JavaScript" : "C";
    const latencies = new Map<string, { burst: (Latency & { errors: number })[]; paced: PacedResult[] }>();
    for (let round = 1; round <= latencyRounds; round++) {
      for (const target of targets) {
        const burst = await burstLatencyAt(target, rate);
        const pacedRun = await paced(target);
        console.error(
          `latency round ${round}: ${target.name} at ${rate} req/s: autocannon p99 ${burst.p99.toFixed(2)} ms, ` +
            `paced p99 ${pacedRun.p99.toFixed(2)} ms (generator lag up to ${pacedRun.maxLagMs.toFixed(1)} ms)`,
        );
        const seen = latencies.get(target.name) ?? { burst: [], paced: [] };
        seen.burst.push(burst);
        seen.paced.push(pacedRun);
        latencies.set(target.name, seen);
      }
    }
    const pinned = new Map<string, PacedResult[]>();
    if (native !== undefined && pinnedRounds > 0 && canPinCpus()) {
      pinProcessTree(upstream.child.pid as number, "0");
      pinProcessTree(router.child.pid as number, "1");
      pinProcessTree(nginx.pid, "1");
      pinProcessTree(floor.child.pid as number, "1");
      for (let round = 1; round <= pinnedRounds; round++) {
        for (const target of targets) {
          const options = { url: target.url, host, rate, durationSeconds: duration, connections };
          const run = nativePacedLatency(native, options, "0");
          console.error(
            `pinned round ${round}: ${target.name} at ${rate} req/s: paced p99 ${run.p99.toFixed(2)} ms`,
          );
          pinned.set(target.name, [...(pinned.get(target.name) ?? []), run]);
        }
      }
    }
    const results = new Map<string, Measurement>();
    for (const target of targets) {
      const max = best.get(target.name) ?? { rps: 0, errors: 0 };
      const wrk = bestWrk.get(target.name);
      const seen = latencies.get(target.name) ?? { burst: [], paced: [] };
      const pinnedRuns = pinned.get(target.name) ?? [];
      const errors = [...seen.burst, ...seen.paced, ...pinnedRuns].reduce((sum, run) => sum + run.errors, 0);
      results.set(target.name, {
        maxRps: max.rps,
        wrkRps: wrk?.rps,
        burst: { p50: median(seen.burst.map((r) => r.p50)), p99: median(seen.burst.map((r) => r.p99)) },
        paced: { p50: median(seen.paced.map((r) => r.p50)), p99: median(seen.paced.map((r) => r.p99)) },
        pinned:
          pinnedRuns.length === 0
            ? undefined
            : { p50: median(pinnedRuns.map((r) => r.p50)), p99: median(pinnedRuns.map((r) => r.p99)) },
        errors: max.errors + (wrk?.errors ?? 0) + errors,
      });
    }
    printReport(results, rate);
  } finally {
    await Promise.all([nginx.stop(), router.stop(), floor.stop(), upstream.stop()]);
  }
}

function printReport(results: Map<string, Measurement>, rate: number): void {
  const direct = results.get("direct");
  const router = results.get("slipway router");
  const nginx = results.get("nginx");
  const floor = results.get(floorName);
  if (direct === undefined || router === undefined || nginx === undefined || floor === undefined) {
    throw new Error("a target was not measured");
  }
  const ms = (value: number) => value.toFixed(2);
  const optionalMs = (value: number | undefined) => (value === undefined ? "–" : ms(value));
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const lines = [
    `Router overhead: ${cpus().length} × ${cpu}, Node ${process.version}, ${nginxVersion()}, ` +
      `${connections} connections, ${duration} s per measurement, best of ${rounds} max-rate rounds; ` +
      `latency at ${rate} req/s (half of the router's maximum under autocannon) for every target, ` +
      `median of ${latencyRounds} rounds; paced load from the ${generatorName} generator, latency counted from ` +
      `each request's due time; "own core": the proxy pinned to CPU 1, upstream and generator to CPU 0.`,
    "",
    "| target | max req/s (autocannon) | max req/s (wrk) | p50 paced (ms) | p99 paced (ms) | p50 autocannon -R (ms) | p99 autocannon -R (ms) | p50 paced, own core (ms) | p99 paced, own core (ms) | errors |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  const count = (value: number | undefined) => (value === undefined ? "–" : String(Math.round(value)));
  for (const [name, result] of results) {
    lines.push(
      `| ${name} | ${count(result.maxRps)} | ${count(result.wrkRps)} | ${ms(result.paced.p50)} | ${ms(result.paced.p99)} | ` +
        `${ms(result.burst.p50)} | ${ms(result.burst.p99)} | ${optionalMs(result.pinned?.p50)} | ` +
        `${optionalMs(result.pinned?.p99)} | ${result.errors} |`,
    );
  }
  const rpsRatio = router.maxRps / nginx.maxRps;
  const wrkRatio =
    router.wrkRps === undefined || nginx.wrkRps === undefined ? undefined : router.wrkRps / nginx.wrkRps;
  const addedPaced = router.paced.p99 - direct.paced.p99;
  const addedBurst = router.burst.p99 - direct.burst.p99;
  const check = (ok: boolean) => (ok ? "met" : "not met");
  lines.push(
    "",
    "| ratio | value | target |",
    "| --- | ---: | --- |",
    `| router / nginx max req/s, autocannon | ${rpsRatio.toFixed(2)} | ≥ 0.80: ${check(rpsRatio >= 0.8)} |`,
    ...(wrkRatio === undefined
      ? []
      : [`| router / nginx max req/s, wrk | ${wrkRatio.toFixed(2)} | ≥ 0.80: ${check(wrkRatio >= 0.8)} |`]),
    `| router p99 − direct p99, paced half load | ${ms(addedPaced)} ms | ≤ 1 ms: ${check(addedPaced <= 1)} |`,
    `| router p99 − direct p99, autocannon -R half load | ${ms(addedBurst)} ms | ≤ 1 ms: ${check(addedBurst <= 1)} |`,
    `| nginx p99 − direct p99, paced half load (reference) | ${ms(nginx.paced.p99 - direct.paced.p99)} ms | |`,
    `| nginx p99 − direct p99, autocannon -R half load (reference) | ${ms(nginx.burst.p99 - direct.burst.p99)} ms | |`,
    `| minimal Node passthrough p99 − direct p99, paced half load (reference) | ${ms(floor.paced.p99 - direct.paced.p99)} ms | |`,
  );
  if (router.pinned !== undefined && direct.pinned !== undefined && nginx.pinned !== undefined) {
    const addedPinned = router.pinned.p99 - direct.pinned.p99;
    lines.push(
      `| router p99 − direct p99, paced half load, proxy on its own core | ${ms(addedPinned)} ms | ≤ 1 ms: ${check(addedPinned <= 1)} |`,
      `| nginx p99 − direct p99, paced half load, proxy on its own core (reference) | ${ms(nginx.pinned.p99 - direct.pinned.p99)} ms | |`,
    );
  }
  console.log(lines.join("\n"));
}

await main();
