import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import { greeterSource, packApp, specFor } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

describe("a service scaled to 0 replicas", () => {
  let run: TestRunPlatform;
  let platform: RunningPlatform;
  let client: ReturnType<typeof clientFor>;
  const host = "greeter.staging.localhost";

  beforeAll(async () => {
    run = await startRunPlatform("slipway-zero-");
    ({ platform, client } = run);
    await client.apply("greeter", specFor("greeter"));
    const { deployment } = await client.deploy(
      "greeter",
      await packApp({ "server.js": greeterSource("hello"), "slipway.yaml": specFor("greeter") }),
    );
    expect(deployment?.status).toBe("succeeded");
  }, 60_000);
  afterAll(() => run?.close());

  const scale = (replicas: number) =>
    client.call("POST", "/api/v1/services/greeter/scale", { environment: "staging", replicas });

  it("answers 503 saying it is scaled to 0 (not 404 no route), and serves again once scaled up", async () => {
    expect((await scale(0)).status).toBe(200);
    const idle = await viaRouter(platform.routerUrl, host);
    expect(idle.status).toBe(503);
    expect(JSON.parse(idle.text).detail).toBe(
      "service greeter in environment staging is scaled to 0 replicas; `slipway scale greeter N --env staging` brings it back",
    );
    // A host no service claims is still a 404: only this environment's hosts changed.
    expect((await viaRouter(platform.routerUrl, "nobody.staging.localhost")).status).toBe(404);

    expect((await scale(1)).status).toBe(200);
    let back = await viaRouter(platform.routerUrl, host);
    for (let i = 0; i < 50 && back.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      back = await viaRouter(platform.routerUrl, host);
    }
    expect(back.text).toMatch(/^hello from rep_/);
  }, 30_000);
});
