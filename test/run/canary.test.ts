import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canarySpec, greeterSource, packApp } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

const spec = canarySpec("3s");

describe("a canary deploy", () => {
  let run: TestRunPlatform;
  let client: ReturnType<typeof clientFor>;
  const host = "birdy.staging.localhost";
  const greetings = async (count: number) => {
    const seen: Record<string, number> = {};
    for (let i = 0; i < count; i++) {
      const res = await viaRouter(run.platform.routerUrl, host);
      expect(res.status).toBe(200);
      const greeting = res.text.split(" from ")[0] ?? "";
      seen[greeting] = (seen[greeting] ?? 0) + 1;
    }
    return seen;
  };
  const pauses = async () => {
    const { body } = await client.call<{ events: { message: string }[] }>(
      "GET",
      "/api/v1/events?service=birdy&kind=deployment.step&limit=100",
    );
    return body.events.filter((event) => event.message.includes("canary at 50% for ")).length;
  };
  /** Starts a deploy and waits for it to reach the canary's pause; `deploying` is its outcome. */
  const deployToPause = async (source: string) => {
    const before = await pauses();
    const deploying = client.deploy("birdy", await packApp({ "server.js": source }));
    for (let i = 0; i < 200 && (await pauses()) === before; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Wrapped: an async function returning the promise itself would wait for it.
    return { deploying };
  };

  beforeAll(async () => {
    run = await startRunPlatform("slipway-canary-");
    ({ client } = run);
    await client.apply("birdy", spec);
    const first = await client.deploy("birdy", await packApp({ "server.js": greeterSource("v1") }));
    expect(first.deployment?.status).toBe("succeeded");
  }, 60_000);
  afterAll(() => run?.close());

  it("gives the new release its weight of requests during the pause, then all of them", async () => {
    const { deploying } = await deployToPause(greeterSource("v2"));
    const canarying = (
      await client.call<{ environments: { canary?: unknown }[] }>("GET", "/api/v1/services/birdy/status")
    ).body.environments[0];
    expect(canarying?.canary).toEqual({ release: 2, weight: 50 });
    const during = await greetings(40);
    // Half, counted: a route table swapped in the middle (a readiness change) may move one.
    expect(during.v2).toBeGreaterThanOrEqual(19);
    expect(during.v2).toBeLessThanOrEqual(21);
    expect((during.v1 ?? 0) + (during.v2 ?? 0)).toBe(40);
    const { deployment } = await deploying;
    expect(deployment?.status).toBe("succeeded");
    expect(await greetings(10)).toEqual({ v2: 10 });
    const done = (
      await client.call<{ environments: { canary?: unknown }[] }>("GET", "/api/v1/services/birdy/status")
    ).body.environments[0];
    expect(done?.canary).toBeUndefined();
    const status = await client.status("birdy");
    expect(status.environments[0]?.replicas).toHaveLength(2);
  }, 60_000);

  it("backs the canary out when one of its replicas dies during the pause", async () => {
    const crashesSoon = `${greeterSource("v3")}\nsetTimeout(() => process.exit(4), 1500);\n`;
    const { deployment } = await client.deploy("birdy", await packApp({ "server.js": crashesSoon }));
    expect(deployment?.status).toBe("failed");
    expect(deployment?.reason).toMatch(
      /^canary replica rep_\w+ exited with code 4 \(Error\) at the 50% step/,
    );
    expect(await greetings(10)).toEqual({ v2: 10 });
  }, 60_000);

  it("backs the canary out when the new release answers with errors", async () => {
    const failsRequests = greeterSource("v4").replace(
      'console.log("request " + req.url);',
      'console.log("request " + req.url); res.statusCode = 500;',
    );
    expect(failsRequests).toContain("res.statusCode = 500");
    const { deploying } = await deployToPause(failsRequests);
    let errors = 0;
    for (let i = 0; i < 40; i++) {
      errors += (await viaRouter(run.platform.routerUrl, host)).status === 500 ? 1 : 0;
    }
    // Its share, and no more: the old release still answers the rest.
    expect(errors).toBeGreaterThanOrEqual(19);
    expect(errors).toBeLessThanOrEqual(21);
    const { deployment } = await deploying;
    expect(deployment?.status).toBe("failed");
    expect(deployment?.reason).toMatch(
      /^canary v\d+ answered (19|20|21) of (19|20|21) requests with 5xx at the 50% step, more than deploy\.canary\.maxErrorRate \(5%\)/,
    );
    expect(await greetings(10)).toEqual({ v2: 10 });
  }, 60_000);

  it("ends a canary at once when a rollback is asked for, keeping the release it would replace", async () => {
    await client.apply("birdy", spec.replace("pause: 3s", "pause: 10m"));
    const { deploying } = await deployToPause(greeterSource("v5"));
    const asked = Date.now();
    const rollback = await client.call<{ deployment: { id: string; release: number; kind: string } }>(
      "POST",
      "/api/v1/services/birdy/rollback",
      { environment: "staging" },
    );
    expect(rollback.status).toBe(202);
    expect(rollback.body.deployment).toMatchObject({ release: 2, kind: "rollback" });
    const canary = (await deploying).deployment;
    expect(canary?.status).toBe("failed");
    expect(canary?.reason).toBe("aborted: admin asked for a rollback");
    const waited = await client.call<{ deployment: { status: string } }>(
      "GET",
      `/api/v1/deployments/${rollback.body.deployment.id}/wait?timeout=30s`,
    );
    expect(waited.body.deployment.status).toBe("succeeded");
    expect(Date.now() - asked).toBeLessThan(10_000);
    expect(await greetings(10)).toEqual({ v2: 10 });
    // The release the canary would have replaced kept running: nothing was restarted for it.
    const replicas = (await client.status("birdy")).environments[0]?.replicas ?? [];
    expect(replicas.map((replica) => replica.release)).toEqual([2, 2]);
  }, 60_000);

  it("takes a scale during a canary's pause at once, applying it when the canary ends", async () => {
    const { deploying } = await deployToPause(greeterSource("v6"));
    const asked = Date.now();
    const scaled = await client.call("POST", "/api/v1/services/birdy/scale", {
      environment: "staging",
      replicas: 3,
    });
    expect(scaled.status).toBeLessThan(300);
    expect(Date.now() - asked).toBeLessThan(5_000);
    // Ended by a rollback, the canary leaves v2, which then runs the 3 replicas asked for.
    await client.call("POST", "/api/v1/services/birdy/rollback", { environment: "staging" });
    await deploying;
    let releases: (number | null)[] = [];
    for (let i = 0; i < 100 && releases.length !== 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const replicas = (await client.status("birdy")).environments[0]?.replicas ?? [];
      releases = replicas.filter((replica) => replica.ready).map((replica) => replica.release);
    }
    expect(releases).toEqual([2, 2, 2]);
  }, 60_000);

  it("does not make deleting the service wait out a canary's pause", async () => {
    const { deploying } = await deployToPause(greeterSource("v7"));
    const asked = Date.now();
    const deleted = await client.call("DELETE", "/api/v1/services/birdy");
    expect(deleted.status).toBeLessThan(300);
    expect(Date.now() - asked).toBeLessThan(15_000);
    expect((await deploying).deployment?.reason).toBe("aborted: the service is being deleted");
    expect((await viaRouter(run.platform.routerUrl, host)).status).toBe(404);
  }, 60_000);
});
