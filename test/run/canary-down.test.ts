// `slipway down` during a canary: stopping every replica failed the canary, whose rollback then
// started the previous release again while the platform went down, and left it running (review).
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canarySpec, greeterSource, packApp } from "./apps.js";
import type { clientFor } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

const spec = canarySpec("10m");

function replicaProcesses(home: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) {
      continue;
    }
    try {
      const cwd = readlinkSync(`/proc/${entry}/cwd`);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (cwd.startsWith(home) && cmd.includes("server.js")) {
        pids.push(Number(entry));
      }
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return pids;
}

describe("slipway down during a canary", () => {
  let run: TestRunPlatform;
  let client: ReturnType<typeof clientFor>;
  beforeAll(async () => {
    run = await startRunPlatform("slipway-review-down-");
    ({ client } = run);
    await client.apply("birdy", spec);
    const first = await client.deploy("birdy", await packApp({ "server.js": greeterSource("v1") }));
    expect(first.deployment?.status).toBe("succeeded");
  }, 60_000);
  afterAll(async () => {
    for (const pid of replicaProcesses(run.home)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // The process ended meanwhile, or is not ours to read.
      }
    }
    await run?.close();
  }, 60_000);

  it("leaves no replica running", async () => {
    void client.deploy("birdy", await packApp({ "server.js": greeterSource("v2") }));
    for (let i = 0; i < 400; i++) {
      const status = await client.call<{ environments: { canary?: unknown }[] }>(
        "GET",
        "/api/v1/services/birdy/status",
      );
      if (status.body.environments[0]?.canary) {
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(replicaProcesses(run.home).length).toBeGreaterThan(0);
    run.platform.services.requestDown?.();
    await run.platform.close();
    await new Promise((r) => setTimeout(r, 1000));
    const left = replicaProcesses(run.home);
    expect(left).toEqual([]);
  }, 90_000);
});
