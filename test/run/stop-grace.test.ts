import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greeterSource, packApp, specFor } from "./apps.js";
import type { clientFor } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

describe("deploy.stopGracePeriod", () => {
  let run: TestRunPlatform;
  let client: ReturnType<typeof clientFor>;
  // An app that ignores SIGTERM, with a short grace period of its own.
  const spec = specFor("stubborn").replace("  drainTimeout: 5s", "  drainTimeout: 5s\n  stopGracePeriod: 1s");

  beforeAll(async () => {
    run = await startRunPlatform("slipway-grace-");
    ({ client } = run);
    await client.apply("stubborn", spec);
    const source = `${greeterSource("hi").replace(/process\.on\("SIGTERM".*$/m, "")}\nprocess.on("SIGTERM", () => {});`;
    const { deployment } = await client.deploy(
      "stubborn",
      await packApp({ "server.js": source, "slipway.yaml": spec }),
    );
    expect(deployment?.status).toBe("succeeded");
  }, 60_000);
  afterAll(() => run?.close());

  it("kills a replica that ignores SIGTERM after the spec's grace period, and the timeline says so", async () => {
    const started = Date.now();
    const scaled = await client.call("POST", "/api/v1/services/stubborn/scale", {
      environment: "staging",
      replicas: 0,
    });
    expect(scaled.status).toBe(200);
    // Two replicas, stopped one after the other: well under the default 30 s each.
    expect(Date.now() - started).toBeLessThan(10_000);
    const stopped = await client.call<{ events: { message: string }[] }>(
      "GET",
      "/api/v1/events?service=stubborn&kind=replica.stopped",
    );
    expect(stopped.body.events).toHaveLength(2);
    for (const event of stopped.body.events) {
      expect(event.message).toMatch(
        /^stubborn\/staging replica rep_\w+ \(v1\) stopped: it was still running 1 s after SIGTERM \(deploy.stopGracePeriod\), so it was killed$/,
      );
    }
  }, 30_000);
});
