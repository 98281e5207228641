import { readFile, stat } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliSandbox,
  createCliSandbox,
  startTestPlatform,
  type TestPlatform,
} from "./support/slipway-cli.js";

// End to end: the built `slipway` binary against a real server on 127.0.0.1.
let server: TestPlatform;
let cli: CliSandbox;
beforeAll(async () => {
  server = await startTestPlatform();
  cli = await createCliSandbox();
});
afterAll(async () => {
  await cli?.cleanup();
  await server?.close();
});

describe("slipway login", () => {
  it("refuses a bad token with exit 3 and saves nothing", async () => {
    const result = await cli.run([
      "login",
      server.url,
      "--token",
      "slp_notarealtoken0000000000000000000000000000",
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(
      `error: ${server.url} rejected the token: it is invalid, expired or revoked`,
    );
    expect(result.stderr).toContain("hint: nothing was saved");
    await expect(stat(cli.configPath)).rejects.toThrow(/ENOENT/);
  });

  it("checks a valid token, then saves URL and token with mode 0600", async () => {
    const result = await cli.run(["login", server.url, "--token", server.adminToken]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`logged in to ${server.url} as admin`);
    expect((await stat(cli.configPath)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(cli.configPath, "utf8"))).toEqual({
      url: server.url,
      token: server.adminToken,
    });
  });

  it("reads the token from stdin when it is piped", async () => {
    const result = await cli.run(["login", server.url, "--json"], { stdin: `${server.adminToken}\n` });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      url: server.url,
      user: { name: "admin" },
      configPath: cli.configPath,
    });
  });

  it("takes the token from SLIPWAY_TOKEN", async () => {
    const result = await cli.run(["login", server.url], { env: { SLIPWAY_TOKEN: server.adminToken } });
    expect(result.code).toBe(0);
  });
});

describe("slipway whoami", () => {
  it("shows the user and roles from the saved login", async () => {
    const result = await cli.run(["whoami"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`admin at ${server.url}`);
    expect(result.stdout).toContain("roles: admin on all environments");
  });

  it("prints JSON with --json", async () => {
    const result = await cli.run(["whoami", "--json"]);
    expect(result.code).toBe(0);
    const me = JSON.parse(result.stdout);
    expect(me).toMatchObject({
      url: server.url,
      user: { name: "admin" },
      roles: [{ role: "admin", environment: "*" }],
    });
  });

  it("uses SLIPWAY_URL and SLIPWAY_TOKEN over the saved login", async () => {
    const result = await cli.run(["whoami"], {
      env: { SLIPWAY_TOKEN: "slp_bogus", SLIPWAY_URL: server.url },
    });
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `error: your token is invalid, expired or revoked\nhint: run \`slipway login ${server.url}\`\n`,
    );
  });
});

describe("slipway logout", () => {
  it("forgets the token, after which commands say to log in", async () => {
    const out = await cli.run(["logout"]);
    expect(out.code).toBe(0);
    expect(JSON.parse(await readFile(cli.configPath, "utf8"))).toEqual({ url: server.url });
    const after = await cli.run(["services"]);
    expect(after.code).toBe(3);
    expect(after.stderr).toContain(`error: not logged in to ${server.url}`);
  });
});
