import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probedServiceSpec, writeAppDir } from "./support/app-dir.js";
import { type DeployFixture, runBinary, startDeployFixture } from "./support/slipway-cli.js";

// End to end with the built binary: a developer's `slipway deploy --env production` waits for a
// deployer's `slipway approve`, then reports the rollout like any deploy.

const spec = probedServiceSpec("gated", { environments: ["production:", "  approval: required"] });
const server = `require("node:http").createServer((req, res) => res.end("gated ok")).listen(Number(process.env.PORT), "127.0.0.1");`;

let fixture: DeployFixture;
let appDir: string;
const tokens = { developer: "", deployer: "" };

/** As the admin, over the API: a user with one role and a token. */
async function userWith(name: string, environment: string, role: string): Promise<string> {
  const { url, adminToken } = { url: fixture.platform.url, adminToken: fixture.platform.adminToken ?? "" };
  const call = (method: string, path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  expect((await call("POST", "/api/v1/users", { name })).status).toBe(201);
  expect((await call("PUT", `/api/v1/users/${name}/roles/${environment}`, { role })).status).toBe(200);
  return (
    (await (await call("POST", "/api/v1/tokens", { name: "cli", user: name })).json()) as { token: string }
  ).token;
}

const as = (who: keyof typeof tokens, args: string[], timeoutMs = 60_000) =>
  runBinary(args, {
    env: { ...fixture.cli.env, SLIPWAY_TOKEN: tokens[who], SLIPWAY_URL: fixture.platform.url },
    cwd: appDir,
    timeoutMs,
  });

beforeAll(async () => {
  fixture = await startDeployFixture();
  appDir = await writeAppDir(fixture.cli.dir, "gated", server, spec);
  tokens.developer = await userWith("dev", "*", "developer");
  tokens.deployer = await userWith("ops", "production", "deployer");
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

describe("slipway approve", () => {
  it("lets a developer's production deploy wait, then roll out once a deployer approves it", async () => {
    const deploying = as("developer", ["deploy", "--env", "production"]);
    // The deployment id is in the timeline once the build is done.
    let id: string | undefined;
    for (let i = 0; i < 150 && id === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const events = await as("deployer", ["events", "--kind", "deployment.awaiting_approval", "--json"]);
      id = JSON.parse(events.stdout).events[0]?.data?.deploymentId;
    }
    expect(id).toMatch(/^dep_/);
    // `slipway approve` alone lists what waits, for the deployer to pick from.
    const listed = await as("deployer", ["approve"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^DEPLOYMENT\s+SERVICE\s+ENVIRONMENT\s+RELEASE\s+ASKED BY\s+ASKED$/m);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+gated\\s+production\\s+v1\\s+dev\\s+`, "m"));
    const refused = await as("developer", ["approve", id ?? ""]);
    expect(refused.code).toBe(4);

    const approved = await as("deployer", ["approve", id ?? ""]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toContain(`approved: deploying gated in production (v1, deployment ${id})`);
    expect(approved.stdout).toMatch(
      /gated v1 is live in production: http:\/\/gated\.production\.localhost:\d+/,
    );

    const deployed = await deploying;
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toContain(
      `waiting for approval: a deployer in production runs \`slipway approve ${id}\` (or \`slipway reject ${id}\`)`,
    );
    expect(deployed.stdout).toMatch(/gated v1 is live in production/);
  }, 90_000);

  it("a rejected deploy ends with exit 1 and the reason", async () => {
    const deploying = as("developer", ["deploy", "--env", "production"]);
    let id: string | undefined;
    for (let i = 0; i < 150 && id === undefined; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const events = await as("deployer", ["events", "--kind", "deployment.awaiting_approval", "--json"]);
      id = JSON.parse(events.stdout).events.find(
        (e: { data: { releaseVersion: number } }) => e.data.releaseVersion === 2,
      )?.data?.deploymentId;
    }
    const rejected = await as("deployer", ["reject", id ?? "", "--reason", "not on a Friday"]);
    expect(rejected.code, rejected.stderr).toBe(0);
    expect(rejected.stdout).toBe(`rejected deployment ${id} (gated v2 to production)\n`);
    const deployed = await deploying;
    expect(deployed.code).toBe(1);
    expect(deployed.stderr).toContain("was not approved: rejected by ops: not on a Friday");
    expect((await as("deployer", ["approve"])).stdout).toBe("nothing waits for approval\n");
  }, 90_000);
});
