import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import { greeterSource, packApp, specFor } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

// `slipway deploy` twice in a row (two pushes): the second must not be dropped while the first
// rolls out, nor leave its CLI waiting for a deployment that never comes.
describe("a release pushed while a deployment is in progress", () => {
  let run: TestRunPlatform;
  let platform: RunningPlatform;
  let client: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    run = await startRunPlatform("slipway-queue-");
    ({ platform, client } = run);
    await client.apply("greeter", specFor("greeter"));
  }, 60_000);
  afterAll(() => run?.close());

  it("is deployed right after it, in turn, and the timeline says it waited", async () => {
    // v1 takes 2 s to listen, so its rollout is still running when v2 has been built.
    const slow = `setTimeout(() => { ${greeterSource("hello v1")} }, 2000);`;
    const first = client.deploy(
      "greeter",
      await packApp({ "server.js": slow, "slipway.yaml": specFor("greeter") }),
    );
    for (let i = 0; i < 100; i++) {
      const started = await client.call<{ events: unknown[] }>(
        "GET",
        "/api/v1/events?service=greeter&kind=deployment.started",
      );
      if (started.body.events.length > 0) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const second = client.deploy(
      "greeter",
      await packApp({ "server.js": greeterSource("hello v2"), "slipway.yaml": specFor("greeter") }),
    );
    const [one, two] = await Promise.all([first, second]);
    expect(one.deployment?.status, JSON.stringify(one)).toBe("succeeded");
    expect(two.deployment?.status, JSON.stringify(two)).toBe("succeeded");
    expect(two.version).toBe(2);
    expect((await client.status("greeter")).environments[0]?.release?.version).toBe(2);
    expect((await viaRouter(platform.routerUrl, "greeter.staging.localhost")).text).toMatch(/^hello v2/);
    const queued = await client.call<{ events: { message: string }[] }>(
      "GET",
      "/api/v1/events?service=greeter&kind=deployment.queued",
    );
    expect(queued.body.events.map((e) => e.message)).toEqual([
      "greeter v2 waits for the deployment in progress to staging to finish",
    ]);
    // Nothing was refused on the way.
    const failed = await client.call<{ events: unknown[] }>(
      "GET",
      "/api/v1/events?service=greeter&kind=deployment.failed",
    );
    expect(failed.body.events).toEqual([]);
  }, 60_000);
});
