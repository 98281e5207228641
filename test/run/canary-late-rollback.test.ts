// A rollback asked for while a canary is in its last phase (the old replicas routed out and
// draining) must not take the service down: it used to stop the new replicas before the old
// ones were routed back in (found in review: 233 of 551 requests answered 503).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canarySpec, packApp } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

const spec = canarySpec("1s", ["drainTimeout: 6s", "stopGracePeriod: 10s"]);

const source = (greeting: string, termDelayMs: number) => `
const http = require("node:http");
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") { res.end("ok"); return; }
  if (req.url === "/slow") { setTimeout(() => res.end("slow"), 5000); return; }
  res.end(${JSON.stringify(greeting)});
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => setTimeout(() => server.close(() => process.exit(0)), ${termDelayMs}));
`;

describe("a rollback during a canary's last phase", () => {
  let run: TestRunPlatform;
  let client: ReturnType<typeof clientFor>;
  const host = "birdy.staging.localhost";

  beforeAll(async () => {
    run = await startRunPlatform("slipway-review-canary-");
    ({ client } = run);
    await client.apply("birdy", spec);
    const first = await client.deploy("birdy", await packApp({ "server.js": source("v1", 0) }));
    expect(first.deployment?.status).toBe("succeeded");
  }, 60_000);
  afterAll(() => run?.close());

  it("keeps serving throughout", async () => {
    const steps = async () =>
      (
        await client.call<{ events: { message: string }[] }>(
          "GET",
          "/api/v1/events?service=birdy&kind=deployment.step&limit=200",
        )
      ).body.events.map((e) => e.message);
    const before = (await steps()).filter((m) => m.includes("out of rotation")).length;
    const deploying = client.deploy("birdy", await packApp({ "server.js": source("v2", 2000) }));
    // Slow requests keep the old replicas busy, so their drain lasts.
    let slowRunning = true;
    const slow = (async () => {
      while (slowRunning) {
        await Promise.all(
          [0, 1, 2, 3].map(() => viaRouter(run.platform.routerUrl, host, "/slow").catch(() => undefined)),
        );
      }
    })();
    for (let i = 0; i < 600; i++) {
      if ((await steps()).filter((m) => m.includes("out of rotation")).length > before) {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    const rollback = client.call<{ deployment: { id: string } }>("POST", "/api/v1/services/birdy/rollback", {
      environment: "staging",
    });
    const failures: string[] = [];
    let ok = 0;
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      const res = await viaRouter(run.platform.routerUrl, host).catch((e: Error) => ({
        status: 0,
        text: e.message,
      }));
      if (res.status === 200) {
        ok++;
      } else {
        failures.push(`${res.status} ${res.text.slice(0, 80)}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    slowRunning = false;
    await slow;
    const canary = (await deploying).deployment;
    const rb = await rollback;
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(100);
    // Asked for after the promotion, the rollback follows it instead of aborting it.
    expect(canary?.status).toBe("succeeded");
    expect(rb.status).toBe(202);
    const rolledBack = await client.call<{ deployment: { status: string } }>(
      "GET",
      `/api/v1/deployments/${rb.body.deployment.id}/wait?timeout=30s`,
    );
    expect(rolledBack.body.deployment.status).toBe("succeeded");
    expect((await viaRouter(run.platform.routerUrl, host)).text).toBe("v1");
  }, 90_000);
});
