/**
 * Deploy time: from deploying an already built release to the router serving it, against the
 * app's own start time (spawn → first good /healthz) measured the same way, in one run.
 *
 *   npm run build && node_modules/.bin/node --import ./bench/support/resolve-ts-sources.ts bench/deploy-time.ts
 *
 * hello-api is measured three times: as shipped (readiness probe every 2 s), with a 200 ms probe
 * period, since the probe period bounds how soon a replica can be seen ready, and with no health
 * section (the default check that $PORT accepts connections); run as root, once more with the
 * 200 ms probe and replicas as the platform's own user, for what isolation costs.
 */
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startBenchPlatform } from "./support/platform.js";

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const helloApi = fileURLToPath(new URL("../examples/hello-api", import.meta.url));

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The app alone: node server.js until /healthz answers 200. */
async function ownStartMs(dir: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ["server.js"], {
    cwd: dir,
    env: { ...process.env, PORT: String(port) },
    stdio: "ignore",
  });
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        return performance.now() - started;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    child.kill("SIGTERM");
  }
}

/** The shipped spec with its readiness probe's period changed, or with no health section at all. */
function withHealth(spec: string, period: string | "none"): string {
  if (period === "none") {
    return spec.replace(/^health:\n(?: {2}.*\n)+/m, "");
  }
  return spec.replace("period: 2s", `period: ${period}`);
}

async function variant(
  label: string,
  period: string | "none",
  platformEnv: Record<string, string> = {},
): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-hello-"));
  await cp(helloApi, dir, { recursive: true });
  const spec = withHealth(await readFile(join(dir, "slipway.yaml"), "utf8"), period);
  if (period === "none" && spec.includes("health:")) {
    throw new Error("could not take the health section out of hello-api's slipway.yaml");
  }
  await writeFile(join(dir, "slipway.yaml"), spec);
  const platform = await startBenchPlatform(platformEnv);
  try {
    const v1 = await platform.deployDir(dir, "staging");
    const v2 = await platform.deployDir(dir, "staging");
    const deployMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      deployMs.push(
        (await platform.deployRelease("hello-api", i % 2 === 0 ? v1.version : v2.version, "staging")).ms,
      );
    }
    const startMs: number[] = [];
    for (let i = 0; i < rounds; i++) {
      startMs.push(await ownStartMs(dir, 18_000 + i));
    }
    return [
      `| hello-api, ${label} | ${Math.round(median(startMs))} | ${Math.round(median(deployMs))} | ${Math.round(Math.max(...deployMs))} | ${Math.round(v1.ms)} |`,
    ];
  } finally {
    await platform.stop();
  }
}

const rows = [
  ...(await variant("readiness every 2 s (as shipped)", "2s")),
  ...(await variant("readiness every 200 ms", "200ms")),
  ...(await variant("no health probes (ready once $PORT accepts connections, checked every 250 ms)", "none")),
  // As root, replicas run as users of their own (setpriv, a private HOME): what that costs.
  ...(process.getuid?.() === 0
    ? await variant(
        "readiness every 200 ms, replicas as the platform's own user (SLIPWAY_ISOLATION=off)",
        "200ms",
        {
          SLIPWAY_ISOLATION: "off",
        },
      )
    : []),
];
console.log(
  `\nmedian of ${rounds} rounds; a redeploy replaces 2 replicas one at a time (maxSurge 1, maxUnavailable 0): two start-and-ready rounds\n`,
);
console.log(
  "| app | own start → /healthz ms | deploy of a built release → live ms (median) | max ms | first deploy incl. upload+unpack ms |",
);
console.log("| --- | ---: | ---: | ---: | ---: |");
for (const row of rows) {
  console.log(row);
}
