import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packApp, specFor } from "./apps.js";
import type { clientFor } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

describe("a replica that runs but never gets ready", () => {
  let run: TestRunPlatform;
  let client: ReturnType<typeof clientFor>;
  const spec = specFor("sickly")
    .replace("readyTimeout: 20s", "readyTimeout: 4s")
    .replace("replicas: 2", "replicas: 1");

  beforeAll(async () => {
    run = await startRunPlatform("slipway-unready-");
    ({ client } = run);
    await client.apply("sickly", spec);
  }, 60_000);
  afterAll(() => run?.close());

  it("shows in status what its readiness probe last said", async () => {
    const server = `require("node:http").createServer((req, res) => { res.statusCode = req.url === "/healthz" ? 500 : 200; res.end("no"); }).listen(Number(process.env.PORT), "127.0.0.1");`;
    const deploying = client.deploy("sickly", await packApp({ "server.js": server, "slipway.yaml": spec }));
    // Its first checks may find nothing listening yet; then the app answers, with a 500.
    let failure: string | undefined;
    for (let i = 0; i < 60 && failure !== "GET /healthz: HTTP 500"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const replicas = (await client.status("sickly")).environments[0]?.replicas ?? [];
      failure = replicas.find((r) => r.readinessFailure !== undefined)?.readinessFailure;
    }
    expect(failure).toBe("GET /healthz: HTTP 500");
    const { deployment } = await deploying;
    expect(deployment?.status).toBe("failed");
  }, 30_000);
});
