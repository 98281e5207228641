import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startPlatform } from "../../src/api/index.js";
import { packApp, specFor } from "./apps.js";
import { clientFor } from "./platform-client.js";

describe("shutting down while a deploy is waited for", () => {
  it("answers the waiting client at once and records why the rollout ended", async () => {
    const home = await mkdtemp(join(tmpdir(), "slipway-stop-deploy-"));
    const options = { home, port: 0, routerPort: 0, logLevel: "silent", stopReplicasOnClose: true };
    try {
      const platform = await startPlatform(options);
      const client = clientFor(platform);
      await client.apply("stuck", specFor("stuck").replace("readyTimeout: 20s", "readyTimeout: 5m"));
      // Listens, but its /healthz never passes: the rollout waits for readiness.
      const app = `require("node:http").createServer((req, res) => { res.statusCode = 503; res.end(); }).listen(Number(process.env.PORT), "127.0.0.1");`;
      const deploying = client.deploy("stuck", await packApp({ "server.js": app }));
      let inProgress = false;
      for (let i = 0; i < 100 && !inProgress; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const { body } = await client.call<{ deployments: { status: string }[] }>(
          "GET",
          "/api/v1/deployments",
        );
        inProgress = body.deployments.some((d) => d.status === "in_progress");
      }
      expect(inProgress).toBe(true);
      // The client is now in the middle of its minute-long wait.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const started = Date.now();
      await platform.close();
      expect(Date.now() - started).toBeLessThan(10_000);
      await deploying.catch(() => undefined);

      const again = await startPlatform({ ...options, port: 0 });
      try {
        const { body } = await clientFor(again, platform.adminToken ?? "").call<{
          deployments: { status: string; reason: string | null }[];
        }>("GET", "/api/v1/deployments");
        expect(body.deployments[0]).toMatchObject({ status: "failed" });
        expect(body.deployments[0]?.reason).toMatch(/shutting down|interrupted|being stopped/);
        expect(body.deployments[0]?.reason).not.toMatch(/readyTimeout/);
      } finally {
        await again.close();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 60_000);
});
