import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packApp } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

/** A service with no health probe at all, as most first services are. */
const spec = (name: string, readyTimeout = "20s") =>
  [
    `service: ${name}`,
    "start: node server.js",
    "replicas: 2",
    "deploy:",
    "  drainTimeout: 5s",
    `  readyTimeout: ${readyTimeout}`,
    "environments:",
    "  staging: {}",
    "",
  ].join("\n");

/** Loads its code for a while before it listens, like an app that connects to a database first. */
const slowListener = (greeting: string) => `
const http = require("node:http");
setTimeout(() => {
  const server = http.createServer((req, res) => res.end(${JSON.stringify(greeting)}));
  server.listen(Number(process.env.PORT), "127.0.0.1");
  process.on("SIGTERM", () => server.close(() => process.exit(0)));
}, 1200);
`;

describe("a service without health probes", () => {
  let run: TestRunPlatform;
  let client: ReturnType<typeof clientFor>;
  const host = "boots.staging.localhost";

  beforeAll(async () => {
    run = await startRunPlatform("slipway-port-binding-");
    ({ client } = run);
    await client.apply("boots", spec("boots"));
    // Long enough for a few port checks even on a busy machine (a slow start left none by 3 s).
    await client.apply("mute", spec("mute", "6s"));
  }, 60_000);
  afterAll(() => run?.close());

  it("gets traffic only once $PORT accepts connections, so a rollout drops no request", async () => {
    const first = client.deploy("boots", await packApp({ "server.js": slowListener("v1") }));
    // While it loads, status says what it waits for.
    let failure: string | undefined;
    for (let i = 0; i < 40 && failure === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const replicas = (await client.status("boots")).environments[0]?.replicas ?? [];
      failure = replicas.find((r) => r.readinessFailure !== undefined)?.readinessFailure;
    }
    expect(failure).toMatch(/^tcp \d+: connect ECONNREFUSED/);
    expect((await first).deployment?.status).toBe("succeeded");
    expect((await viaRouter(run.platform.routerUrl, host)).text).toBe("v1");

    let failed = 0;
    let answered = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const res = await viaRouter(run.platform.routerUrl, host).catch(() => ({ status: 0, text: "" }));
        if (res.status === 200) {
          answered += 1;
        } else {
          failed += 1;
        }
      }
    })();
    const second = await client.deploy("boots", await packApp({ "server.js": slowListener("v2") }));
    running = false;
    await load;
    expect(second.deployment?.status).toBe("succeeded");
    expect(failed).toBe(0);
    expect(answered).toBeGreaterThan(20);
    expect((await viaRouter(run.platform.routerUrl, host)).text).toBe("v2");
  }, 60_000);

  it("warns, in the rollout's own events, of a declared secret that has no value", async () => {
    await client.apply("needy", `${spec("needy")}secrets: [API_KEY, DB_URL]\n`);
    const server =
      'require("node:http").createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");';
    const { deployment } = await client.deploy("needy", await packApp({ "server.js": server }));
    expect(deployment?.status).toBe("succeeded");
    const { body } = await client.call<{ events: { message: string; data: { deploymentId?: string } }[] }>(
      "GET",
      "/api/v1/events?service=needy&kind=deployment.secrets_missing",
    );
    expect(body.events).toHaveLength(1);
    expect(body.events[0]?.data.deploymentId).toBe(deployment?.id);
    expect(body.events[0]?.message).toBe(
      "needy/staging: secrets API_KEY, DB_URL are declared but not set here, so v1 starts without them (`slipway secrets set needy API_KEY --env staging`)",
    );
  }, 60_000);

  it("runs a worker that never listens, ready once it has run for 2 s, with no host on the router", async () => {
    const worker = (name: string) =>
      spec(name, "4s").replace("start: node server.js", "kind: worker\nstart: node server.js");
    await client.apply("queue", worker("queue"));
    const idle = "setInterval(() => {}, 1000); process.on('SIGTERM', () => process.exit(0));";
    const started = Date.now();
    const first = await client.deploy("queue", await packApp({ "server.js": idle }));
    expect(first.deployment?.status).toBe("succeeded");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    const [staging] = (await client.status("queue")).environments;
    expect(staging).toMatchObject({ kind: "worker", url: null, desiredReplicas: 2 });
    expect(staging?.replicas.map((replica) => replica.ready)).toEqual([true, true]);
    const res = await viaRouter(run.platform.routerUrl, "queue.staging.localhost");
    expect(res.status).toBe(404);

    // One that crashes at boot fails its rollout, and the running release keeps its replicas.
    const crash = "setTimeout(() => process.exit(3), 300);";
    const second = await client.deploy("queue", await packApp({ "server.js": crash }));
    expect(second.deployment?.status).toBe("failed");
    expect(second.deployment?.reason).toMatch(
      /^replica \S+ exited with code 3 \(Error\) before it became ready/,
    );
    const after = (await client.status("queue")).environments[0];
    expect(after?.release?.version).toBe(1);
    expect(after?.replicas.filter((replica) => replica.ready && replica.release === 1)).toHaveLength(2);
  }, 60_000);

  it("fails a rollout whose replicas never listen, saying what the last check found", async () => {
    const { deployment } = await client.deploy(
      "mute",
      await packApp({ "server.js": "setInterval(() => {}, 1000);" }),
    );
    expect(deployment?.status).toBe("failed");
    // The rollout's deadline and the port check's end together (both deploy.readyTimeout):
    // either way the reason names the wait and what the last check found.
    expect(deployment?.reason).toMatch(
      /(did not become ready within 6 s \(deploy\.readyTimeout\); its last check|did not listen on \$PORT within 6 s \(deploy\.readyTimeout\).*): tcp \d+: connect ECONNREFUSED/,
    );
  }, 60_000);
});
