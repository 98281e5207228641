import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probedServiceSpec, writeAppDir } from "./support/app-dir.js";
import { type CliSandbox, createCliSandbox, runBinary } from "./support/slipway-cli.js";
import { type StartedUp, startUp } from "./support/start-up.js";

// End to end: `slipway down` against a real `slipway up` run as a child process, with a replica
// that takes its time to stop: `down` must return only once everything has stopped.

/** Answers /healthz; on SIGTERM it finishes its work for 2 s before exiting, as real apps do. */
const slowToStop = `
const http = require("node:http");
const server = http.createServer((req, res) => res.end("ok"));
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening on " + process.env.PORT));
process.on("SIGTERM", () => {
  console.log("finishing the work in hand");
  setTimeout(() => process.exit(0), 2000);
});
`;

const spec = probedServiceSpec("slow-stop");

let cli: CliSandbox;
let appDir: string;
beforeAll(async () => {
  cli = await createCliSandbox();
  appDir = await writeAppDir(cli.dir, "slow-stop", slowToStop, spec);
});
afterAll(async () => {
  await cli?.cleanup();
});

/** Whether anything answers at the URL. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("slipway down", () => {
  it("returns once the replicas and the platform have stopped, so `up` can start again at once", async () => {
    const dataDir = join(cli.dir, "data");
    const first = await startUp(cli, dataDir);
    let second: StartedUp | undefined;
    try {
      // The first `up` logged this sandbox in: its token works for the next platform too.
      const { token } = JSON.parse(await readFile(cli.configPath, "utf8")) as { token: string };
      const as = (url: string) => ["--url", url, "--token", token];
      const deployed = await runBinary(["deploy"], { env: cli.env, cwd: appDir, timeoutMs: 60_000 });
      expect(deployed.code, deployed.stderr).toBe(0);
      const status = await cli.run(["status", "slow-stop", "--json", ...as(first.url)]);
      expect(status.code, status.stderr).toBe(0);
      const pids = (JSON.parse(status.stdout).environments[0].replicas as { pid: number }[]).map(
        (r) => r.pid,
      );
      expect(pids).toHaveLength(1);

      const started = Date.now();
      const down = await cli.run(["down", ...as(first.url)]);
      expect(down.code, down.stderr).toBe(0);
      // The replica took 2 s to stop: `down` waited for it, and for the platform after it.
      expect(pids.filter(isRunning)).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect(await answers(first.url)).toBe(false);
      expect(down.stdout).toBe("stopping every replica, then the platform…\nstopped\n");

      // The data directory is free: the next platform starts (no exit 6) and runs the service again.
      second = await startUp(cli, dataDir);
      expect(await first.exited).toBe(0);
      const json = await cli.run(["down", "--json", ...as(second.url)]);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({ stopping: true, stopped: true });
      expect(await answers(second.url)).toBe(false);
      expect(await second.exited).toBe(0);
    } finally {
      first.child.kill("SIGTERM");
      second?.child.kill("SIGTERM");
    }
  }, 90_000);
});
