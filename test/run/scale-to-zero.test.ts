import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPlatform, startPlatform } from "../../src/api/index.js";
import { greeterSource, packApp, specFor } from "./apps.js";
import { clientFor, viaRouter } from "./platform-client.js";

describe("a service scaled to 0 replicas", () => {
  let home: string;
  let platform: RunningPlatform;
  let client: ReturnType<typeof clientFor>;
  const host = "greeter.staging.localhost";

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "slipway-zero-"));
    platform = await startPlatform({
      home,
      port: 0,
      routerPort: 0,
      logLevel: "silent",
      stopReplicasOnClose: true,
    });
    client = clientFor(platform);
    await client.apply("greeter", specFor("greeter"));
    const { deployment } = await client.deploy(
      "greeter",
      await packApp({ "server.js": greeterSource("hello"), "slipway.yaml": specFor("greeter") }),
    );
    expect(deployment?.status).toBe("succeeded");
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await rm(home, { recursive: true, force: true });
  });

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
