import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import { packDir } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

const examples = join(import.meta.dirname, "..", "..", "examples");

describe("the examples deploy with one command each", () => {
  let run: TestRunPlatform;
  let platform: RunningPlatform;
  let client: ReturnType<typeof clientFor>;

  const deployExample = async (name: string) => {
    const dir = join(examples, name);
    await client.apply(name, await readFile(join(dir, "slipway.yaml"), "utf8"));
    return client.deploy(name, await packDir(dir));
  };

  beforeAll(async () => {
    run = await startRunPlatform("slipway-examples-");
    ({ platform, client } = run);
  }, 60_000);
  afterAll(() => run?.close());

  it("hello-api: two replicas behind the router, with its own /metrics", async () => {
    const { deployment } = await deployExample("hello-api");
    expect(deployment?.status).toBe("succeeded");
    const res = await viaRouter(platform.routerUrl, "hello-api.staging.localhost");
    expect(JSON.parse(res.text)).toMatchObject({ message: "Hello from hello-api", release: "v1" });
    const metrics = await viaRouter(platform.routerUrl, "hello-api.staging.localhost", "/metrics");
    expect(metrics.text).toContain("hello_requests_total");
  });

  it("hello-py: Slipway is not Node-only", async () => {
    const { deployment } = await deployExample("hello-py");
    expect(deployment?.status, JSON.stringify(deployment)).toBe("succeeded");
    const res = await viaRouter(platform.routerUrl, "hello-py.staging.localhost");
    expect(JSON.parse(res.text)).toMatchObject({ message: "Hello from hello-py" });
  });

  it("leaky: OOMKilled at its memory limit, with the limit and the peak, and scheduled for restart", async () => {
    const { deployment } = await deployExample("leaky");
    expect(deployment?.status).toBe("succeeded");
    // Each request keeps 8 MiB: the 96 MiB limit is crossed within a dozen.
    for (let i = 0; i < 20; i++) {
      await viaRouter(platform.routerUrl, "leaky.staging.localhost").catch(() => undefined);
    }
    // The exit is recorded a moment before the restart is scheduled: wait for both.
    let replica = (await client.status("leaky")).environments[0]?.replicas[0];
    for (
      let i = 0;
      i < 100 && !(replica?.reason === "OOMKilled" && replica.state === "CrashLoopBackOff");
      i++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      replica = (await client.status("leaky")).environments[0]?.replicas[0];
    }
    // One assertion on the whole replica, so a failure shows everything status said.
    expect(replica).toMatchObject({
      reason: "OOMKilled",
      exitCode: 137,
      state: "CrashLoopBackOff",
      backoffSeconds: 10,
      oom: { limitBytes: 96 * 1024 * 1024, peakBytes: expect.any(Number) },
    });
    expect(replica?.oom?.peakBytes).toBeGreaterThan(64 * 1024 * 1024);
    // Status reads the supervisor's live phase; the event is written a moment later, in order
    // with the replica's stored state (live-replica.ts): wait for it rather than race it.
    const oomEvent = async () =>
      (
        await client.call<{ events: { kind: string; message: string }[] }>(
          "GET",
          "/api/v1/events?service=leaky&kind=replica.oom_killed",
        )
      ).body.events[0];
    let event = await oomEvent();
    for (let i = 0; i < 50 && event === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      event = await oomEvent();
    }
    expect(event?.message).toContain("OOMKilled");
    expect(event?.message).toContain("96Mi");
  });

  it("crashy: the deploy fails with its last words, and the replica sits in CrashLoopBackOff", async () => {
    const { deployment } = await deployExample("crashy");
    expect(deployment?.status).toBe("failed");
    expect(deployment?.failure?.lastLog).toContain("fatal: DATABASE_URL is not set");
    let replica = (await client.status("crashy")).environments[0]?.replicas[0];
    for (let i = 0; i < 50 && replica?.state !== "CrashLoopBackOff"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      replica = (await client.status("crashy")).environments[0]?.replicas[0];
    }
    expect(replica).toMatchObject({
      state: "CrashLoopBackOff",
      exitCode: 1,
      reason: "Error",
      backoffSeconds: 10,
    });
    expect(replica?.lastLog).toContain("fatal: DATABASE_URL is not set");
  });
});
