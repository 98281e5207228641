import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import { greeterSource, packApp, specFor } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

describe("deleting a service that runs", () => {
  let run: TestRunPlatform;
  let platform: RunningPlatform;
  let client: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    run = await startRunPlatform("slipway-delete-");
    ({ platform, client } = run);
  }, 60_000);
  afterAll(() => run?.close());

  it("stops its replicas and takes its hosts off the router; other services keep serving", async () => {
    for (const name of ["doomed", "kept"]) {
      await client.apply(name, specFor(name));
      const { deployment } = await client.deploy(
        name,
        await packApp({ "server.js": greeterSource(`hello ${name}`), "slipway.yaml": specFor(name) }),
      );
      expect(deployment?.status).toBe("succeeded");
    }
    const pids = ((await client.status("doomed")).environments[0]?.replicas ?? []).map((r) => r.pid ?? 0);
    expect(pids).toHaveLength(2);

    const deleted = await client.call("DELETE", "/api/v1/services/doomed");
    expect(deleted.status).toBe(204);
    for (const pid of pids) {
      expect(() => process.kill(pid, 0), `replica pid ${pid} still runs`).toThrow();
    }
    expect((await viaRouter(platform.routerUrl, "doomed.staging.localhost")).status).toBe(404);
    expect((await viaRouter(platform.routerUrl, "kept.staging.localhost")).text).toMatch(/^hello kept/);
    expect((await client.call("GET", "/api/v1/services/doomed/status")).status).toBe(404);
  }, 60_000);
});
