import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import {
  type CliRun,
  type CliSandbox,
  type DeployFixture,
  runBinary,
  startDeployFixture,
} from "./support/slipway-cli.js";

// The "done when", as a user sees it: deploy examples/leaky and examples/crashy with the
// real binary, then `slipway status` names OOMKilled (limit and peak) and CrashLoopBackOff (backoff).

const examples = join(import.meta.dirname, "..", "..", "examples");
let fixture: DeployFixture | undefined;
let platform: RunningPlatform;
let cli: CliSandbox;

function slipway(args: string[], cwd = cli.dir): Promise<CliRun> {
  return runBinary(args, { env: cli.env, cwd, timeoutMs: 90_000 });
}

function hitLeaky(): Promise<void> {
  const port = new URL(platform.routerUrl).port;
  return new Promise((resolve) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/", headers: { host: "leaky.staging.localhost" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve());
      },
    );
    req.on("error", () => resolve());
    req.end();
  });
}

beforeAll(async () => {
  fixture = await startDeployFixture();
  ({ platform, cli } = fixture);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

describe("slipway status on the examples", () => {
  it("shows leaky OOMKilled with its limit and peak", async () => {
    const deployed = await slipway(["deploy", join(examples, "leaky")]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    let status: CliRun | undefined;
    for (let i = 0; i < 60; i++) {
      await hitLeaky();
      status = await slipway(["status", "leaky"]);
      if (status.stdout.includes("OOMKilled")) {
        break;
      }
    }
    expect(status?.stdout).toContain("OOMKilled");
    expect(status?.stdout).toMatch(/96(\.0)? ?MiB/);
    expect(status?.stdout).toMatch(/peak/i);
  });

  it("shows crashy in CrashLoopBackOff with Kubernetes' first backoff, and why", async () => {
    const deployed = await slipway(["deploy", join(examples, "crashy")]);
    expect(deployed.code).toBe(1);
    expect(deployed.stdout + deployed.stderr).toContain("fatal: DATABASE_URL is not set");
    let status: CliRun | undefined;
    for (let i = 0; i < 30; i++) {
      status = await slipway(["status", "crashy"]);
      if (status.stdout.includes("CrashLoopBackOff")) {
        break;
      }
    }
    expect(status?.stdout).toContain("CrashLoopBackOff");
    expect(status?.stdout).toMatch(/backoff 10 ?s/);
    expect(status?.stdout).toContain("fatal: DATABASE_URL is not set");
  });
});
