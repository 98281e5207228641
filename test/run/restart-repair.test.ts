import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPlatform, startPlatform } from "../../src/api/index.js";
import { greeterSource, packApp, specFor } from "./apps.js";
import { clientFor, viaRouter } from "./platform-client.js";

// A platform restart repairs what died while it was down: replicas whose processes are gone are
// replaced, for a healthy service and for a first deploy kept in CrashLoopBackOff alike.
describe("repair after a restart", () => {
  let home: string;
  let platform: RunningPlatform | undefined;

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "slipway-repair-"));
  });
  afterAll(async () => {
    await platform?.close();
    await rm(home, { recursive: true, force: true });
  });

  const start = () => startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });

  it("replaces replicas killed while the platform was down", async () => {
    platform = await start();
    const token = platform.adminToken ?? "";
    let client = clientFor(platform, token);
    await client.apply("greeter", specFor("greeter"));
    const { deployment } = await client.deploy(
      "greeter",
      await packApp({ "server.js": greeterSource("hi"), "slipway.yaml": specFor("greeter") }),
    );
    expect(deployment?.status).toBe("succeeded");
    const crashSpec = specFor("crashy").replace("replicas: 2", "replicas: 1");
    await client.apply("crashy", crashSpec);
    const crashed = await client.deploy(
      "crashy",
      await packApp({ "server.js": "process.exit(4)", "slipway.yaml": crashSpec }),
    );
    expect(crashed.deployment?.status).toBe("failed");

    const before = (await client.status("greeter")).environments[0]?.replicas ?? [];
    await platform.close(); // replicas keep running…
    for (const replica of before) {
      process.kill(replica.pid ?? 0, "SIGKILL"); // …until something kills them
    }
    await new Promise((resolve) => setTimeout(resolve, 300));

    platform = await start();
    client = clientFor(platform, token);
    let after = (await client.status("greeter")).environments[0]?.replicas ?? [];
    for (let i = 0; i < 100 && after.filter((r) => r.ready).length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = (await client.status("greeter")).environments[0]?.replicas ?? [];
    }
    expect(after.filter((r) => r.ready)).toHaveLength(2);
    expect(after.map((r) => r.id).some((id) => before.some((b) => b.id === id))).toBe(false);
    expect((await viaRouter(platform.routerUrl, "greeter.staging.localhost")).text).toMatch(/^hi from/);
    // The crash-looping first deploy is still supervised, not forgotten.
    const crashy = (await client.status("crashy")).environments[0]?.replicas ?? [];
    expect(crashy).toHaveLength(1);
    await client.call("POST", "/api/v1/services/greeter/scale", { environment: "staging", replicas: 0 });
    await client.call("POST", "/api/v1/services/crashy/scale", { environment: "staging", replicas: 0 });
  });
});
