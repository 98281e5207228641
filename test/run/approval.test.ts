import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPlatform, startPlatform } from "../../src/api/index.js";
import { greeterSource, packApp, specFor } from "./apps.js";
import { clientFor, type Deployment, viaRouter } from "./platform-client.js";

// `approval: required`: a developer may ask to deploy to production; it waits until a deployer
// there approves (then it rolls out) or rejects it (then it never runs). It survives a restart.
describe("deploys that wait for approval", () => {
  let home: string;
  let platform: RunningPlatform;
  let developer: ReturnType<typeof clientFor>;
  let deployer: ReturnType<typeof clientFor>;
  let developerToken: string;
  let deployerToken: string;
  const spec = specFor("greeter").replace(
    "  staging: {}",
    "  staging: {}\n  production:\n    approval: required",
  );
  const start = () =>
    startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent", stopReplicasOnClose: true });

  /** A user with one role binding and a token, made through the API as the admin. */
  const userWith = async (name: string, environment: string, role: string): Promise<string> => {
    const admin = clientFor(platform);
    expect((await admin.call("POST", "/api/v1/users", { name })).status).toBe(201);
    expect((await admin.call("PUT", `/api/v1/users/${name}/roles/${environment}`, { role })).status).toBe(
      200,
    );
    const issued = await admin.call<{ token: string }>("POST", "/api/v1/tokens", {
      name: "test",
      user: name,
    });
    return issued.body.token;
  };
  /** Uploads a release as the developer, to be deployed to production once built. */
  const ask = async (greeting: string): Promise<Deployment> => {
    const res = await fetch(`${platform.url}/api/v1/services/greeter/releases?deploy=production`, {
      method: "POST",
      headers: { authorization: `Bearer ${developerToken}`, "content-type": "application/gzip" },
      body: await packApp({ "server.js": greeterSource(greeting), "slipway.yaml": spec }),
    });
    expect(res.status).toBe(202);
    const { release } = (await res.json()) as { release: { version: number } };
    for (let i = 0; i < 100; i++) {
      const detail = await developer.call<{ release: { deployment: { id: string } | null } }>(
        "GET",
        `/api/v1/services/greeter/releases/${release.version}`,
      );
      const id = detail.body.release.deployment?.id;
      if (id) {
        return (await developer.call<{ deployment: Deployment }>("GET", `/api/v1/deployments/${id}`)).body
          .deployment;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("no deployment was recorded for the release");
  };

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "slipway-approval-"));
    platform = await start();
    await clientFor(platform).apply("greeter", spec);
    developerToken = await userWith("dev", "*", "developer");
    deployerToken = await userWith("ops", "production", "deployer");
    developer = clientFor(platform, developerToken);
    deployer = clientFor(platform, deployerToken);
  }, 60_000);
  afterAll(async () => {
    await platform?.close();
    await rm(home, { recursive: true, force: true });
  });

  it("waits, runs nothing, and starts rolling out once a deployer approves", async () => {
    const asked = await ask("hello v1");
    expect(asked).toMatchObject({ status: "awaiting_approval", environment: "production", release: 1 });
    const waiting = await developer.call<{ events: { message: string }[] }>(
      "GET",
      "/api/v1/events?service=greeter&kind=deployment.awaiting_approval",
    );
    expect(waiting.body.events.map((e) => e.message)).toEqual([
      `dev asks to deploy v1 to greeter/production: a deployer there approves it with \`slipway approve ${asked.id}\``,
    ]);
    const production = async () =>
      (await deployer.status("greeter")).environments.find((e) => e.name === "production");
    expect((await production())?.replicas).toEqual([]);

    // The one who asked may not approve it: that is the point.
    expect((await developer.call("POST", `/api/v1/deployments/${asked.id}/approve`)).status).toBe(403);
    const approved = await deployer.call<{ deployment: Deployment }>(
      "POST",
      `/api/v1/deployments/${asked.id}/approve`,
    );
    expect(approved.status).toBe(202);
    const done = await deployer.call<{ deployment: Deployment }>(
      "GET",
      `/api/v1/deployments/${asked.id}/wait?timeout=60s`,
    );
    expect(done.body.deployment.status).toBe("succeeded");
    expect((await viaRouter(platform.routerUrl, "greeter.production.localhost")).text).toMatch(/^hello v1/);
    // Twice is a conflict, not a second rollout.
    expect((await deployer.call("POST", `/api/v1/deployments/${asked.id}/approve`)).status).toBe(409);
  }, 60_000);

  it("an old request approved after a newer deploy becomes what is live, for the router and status alike", async () => {
    const asked = await ask("hello OLD");
    const newer = await deployer.deploy(
      "greeter",
      await packApp({ "server.js": greeterSource("hello NEW"), "slipway.yaml": spec }),
      "production",
    );
    expect(newer.deployment?.status).toBe("succeeded");
    expect((await deployer.call("POST", `/api/v1/deployments/${asked.id}/approve`)).status).toBe(202);
    const done = await deployer.call<{ deployment: Deployment }>(
      "GET",
      `/api/v1/deployments/${asked.id}/wait?timeout=60s`,
    );
    expect(done.body.deployment.status).toBe("succeeded");
    expect((await viaRouter(platform.routerUrl, "greeter.production.localhost")).text).toMatch(/^hello OLD/);
    const production = (await deployer.status("greeter")).environments.find((e) => e.name === "production");
    expect(production?.release?.version).toBe(asked.release);
  }, 60_000);

  it("keeps waiting through a platform restart, and a rejected one never runs", async () => {
    const asked = await ask("hello v2");
    expect(asked.status).toBe("awaiting_approval");
    await platform.close();
    platform = await start();
    developer = clientFor(platform, developerToken);
    deployer = clientFor(platform, deployerToken);
    const after = await deployer.call<{ deployment: Deployment }>("GET", `/api/v1/deployments/${asked.id}`);
    expect(after.body.deployment.status).toBe("awaiting_approval");

    const rejected = await deployer.call<{ deployment: Deployment }>(
      "POST",
      `/api/v1/deployments/${asked.id}/reject`,
      { reason: "not on a Friday" },
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body.deployment).toMatchObject({
      status: "rejected",
      reason: "rejected by ops: not on a Friday",
    });
    const status = await deployer.status("greeter");
    // Still the release approved in the test before.
    expect(status.environments.find((e) => e.name === "production")?.release?.version).toBe(2);
  }, 60_000);
});
