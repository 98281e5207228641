import { copyFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliSandbox,
  createCliSandbox,
  startTestPlatform,
  type TestPlatform,
} from "./support/slipway-cli.js";

// End to end: the built `slipway` binary against a real server on 127.0.0.1.
const fixture = (name: string) => fileURLToPath(new URL(`fixtures/${name}`, import.meta.url));
const secretValue = "hunter2-do-not-print-me";

let server: TestPlatform;
let cli: CliSandbox;
let appDir: string;
const everything: string[] = [];

/** Runs the CLI and keeps all its output, to check at the end that the secret never appeared. */
async function run(args: string[], options: { stdin?: string } = {}) {
  const result = await cli.run(args, { ...options, cwd: appDir });
  everything.push(result.stdout, result.stderr);
  return result;
}

beforeAll(async () => {
  server = await startTestPlatform();
  cli = await createCliSandbox();
  appDir = join(cli.dir, "hello-api");
  await mkdir(appDir);
  await copyFile(fixture("hello-api.slipway.yaml"), join(appDir, "slipway.yaml"));
  expect((await cli.run(["login", server.url, "--token", server.adminToken])).code).toBe(0);
});
afterAll(async () => {
  await cli?.cleanup();
  await server?.close();
});

describe("services", () => {
  it("before any apply, lists nothing and says how to start", async () => {
    const result = await run(["services"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("no services yet: run `slipway apply` in a directory with a slipway.yaml\n");
  });

  it("apply creates the service from ./slipway.yaml, then updates it", async () => {
    const first = await run(["apply"]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toBe("created service hello-api from slipway.yaml\n");
    const second = await run(["apply", "slipway.yaml", "--json"]);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({
      applied: true,
      created: false,
      service: { name: "hello-api" },
    });
  });

  it("apply refuses an invalid file locally, with every error, and sends nothing", async () => {
    const result = await run(["apply", fixture("broken.slipway.yaml")]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/broken\.slipway\.yaml:\d+:\d+: /);
    expect(result.stderr).toContain("nothing was sent to the server");
  });

  it("services lists it with its environments", async () => {
    const human = await run(["services"]);
    expect(human.stdout).toMatch(
      /^NAME\s+ENVIRONMENTS\s+UPDATED\nhello-api\s+staging, production\s+(just now|\d+s ago)\n$/,
    );
    const json = JSON.parse((await run(["services", "--json"])).stdout);
    expect(json.services).toEqual([
      expect.objectContaining({ name: "hello-api", environments: ["staging", "production"] }),
    ]);
  });

  it("status shows each environment with no release yet", async () => {
    const result = await run(["status", "hello-api"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^SERVICE\s+ENVIRONMENT\s+RELEASE\s+REPLICAS$/m);
    expect(result.stdout).toMatch(/^hello-api\s+staging\s+no release yet\s+0$/m);
    expect(result.stdout).toMatch(/^hello-api\s+production\s+no release yet\s+0$/m);
    const all = JSON.parse((await run(["status", "--json"])).stdout);
    expect(all.services[0]).toMatchObject({
      service: "hello-api",
      environments: [
        { name: "staging", release: null },
        { name: "production", release: null },
      ],
    });
  });

  it("status of an unknown service exits 5", async () => {
    const result = await run(["status", "nope"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^error: .*nope.*\nhint: /);
  });
});

describe("secrets", () => {
  it("set reads the value from stdin and never prints it", async () => {
    const result = await run(["secrets", "set", "hello-api", "DB_PASSWORD"], { stdin: `${secretValue}\n` });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("set secret DB_PASSWORD of hello-api (all environments)\n");
  });

  it("set with --value works but warns about shell history", async () => {
    const result = await run([
      "secrets",
      "set",
      "hello-api",
      "API_KEY",
      "--env",
      "staging",
      "--value",
      "abc123",
      "--json",
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("warning: --value puts the secret in your shell history");
    expect(JSON.parse(result.stdout)).toMatchObject({
      service: "hello-api",
      name: "API_KEY",
      environment: "staging",
    });
    expect(result.stdout).not.toContain("abc123");
  });

  it("list shows names and environments, never values", async () => {
    const result = await run(["secrets", "list", "hello-api"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^NAME\s+ENVIRONMENT\s+UPDATED\s+BY$/m);
    expect(result.stdout).toMatch(/^DB_PASSWORD\s+\*\s+\S.*\s+admin$/m);
    expect(result.stdout).toMatch(/^API_KEY\s+staging\s+\S.*\s+admin$/m);
    const staging = JSON.parse(
      (await run(["secrets", "list", "hello-api", "--env", "staging", "--json"])).stdout,
    );
    expect(staging.secrets.map((secret: { name: string }) => secret.name)).toContain("API_KEY");
  });

  it("set for an environment the service does not have fails with the server's reason", async () => {
    const result = await run(["secrets", "set", "hello-api", "X", "--env", "qa"], { stdin: "v" });
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^error: .*staging, production/);
  });

  it("set with a name that cannot be an environment variable is a usage error, before any value is read", async () => {
    const result = await run(["secrets", "set", "hello-api", "bad-name"], { stdin: "v" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: "bad-name" is not a secret name');
  });

  it("set with nothing on stdin is a usage error", async () => {
    const result = await run(["secrets", "set", "hello-api", "EMPTY"], { stdin: "" });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: no value for EMPTY given");
  });

  it("rm removes a secret", async () => {
    const result = await run(["secrets", "rm", "hello-api", "API_KEY", "--env", "staging"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("removed secret API_KEY of hello-api (environment staging)\n");
    const list = await run(["secrets", "list", "hello-api"]);
    expect(list.stdout).not.toContain("API_KEY");
  });

  it("events show the secret changes, and the value appears nowhere in any output", async () => {
    const result = await run(["events", "--kind", "secret.*", "--json"]);
    expect(result.code).toBe(0);
    const kinds = JSON.parse(result.stdout).events.map((event: { kind: string }) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(["secret.set", "secret.deleted"]));
    for (const text of everything) {
      expect(text).not.toContain(secretValue);
    }
  });
});
