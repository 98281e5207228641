import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probedServiceSpec, writeAppDir } from "./support/app-dir.js";
import { type CliSandbox, createCliSandbox, runBinary } from "./support/slipway-cli.js";
import { type StartedUp, startUp } from "./support/start-up.js";

// End to end: the platform is killed (kill -9) and started again while `slipway deploy` waits for
// its rollout. The CLI must ride out the restart and report how the deployment ended (it was
// interrupted), not give up with "cannot reach Slipway".

/** Listens only after 4 s, so the rollout is still waiting for it when the platform is killed. */
const slowStarter = `
setTimeout(() => {
  require("node:http").createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");
}, 4000);
`;

const spec = probedServiceSpec("slow-start", { deploy: ["readyTimeout: 30s"] });

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let cli: CliSandbox;
let appDir: string;
beforeAll(async () => {
  cli = await createCliSandbox();
  appDir = await writeAppDir(cli.dir, "slow-start", slowStarter, spec);
});
afterAll(async () => {
  await cli?.cleanup();
});

describe("slipway deploy while the platform restarts", () => {
  it("keeps asking through the restart and reports the interrupted deployment (exit 1, not 7)", async () => {
    const dataDir = join(cli.dir, "data");
    const port = String(await freePort());
    let platform: StartedUp = await startUp(cli, dataDir, ["--port", port]);
    try {
      const deploying = runBinary(["deploy"], { env: cli.env, cwd: appDir, timeoutMs: 60_000 });
      // Wait until the rollout has started (its replica is starting), then crash the platform.
      for (let i = 0; i < 100; i++) {
        const events = await cli.run(["events", "--kind", "replica.started", "--json"]);
        if (events.code === 0 && JSON.parse(events.stdout).events.length > 0) {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      platform.child.kill("SIGKILL");
      await platform.exited;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      platform = await startUp(cli, dataDir, ["--port", port]);

      const deployed = await deploying;
      expect(deployed.code, deployed.stderr).toBe(1);
      expect(deployed.stderr).toContain("interrupted");
      expect(deployed.stderr).not.toContain("cannot reach");
    } finally {
      platform.child.kill("SIGTERM");
      await platform.exited;
    }
  }, 90_000);
});
