import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliSandbox,
  createCliSandbox,
  startTestPlatform,
  type TestPlatform,
} from "./support/slipway-cli.js";

// End to end: the built binary against a real platform, on its data directory and over HTTP.
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

const savedToken = async (): Promise<string | undefined> =>
  JSON.parse(await readFile(cli.configPath, "utf8")).token;

describe("slipway logout --revoke", () => {
  it("refuses to revoke the last admin token, and keeps it saved", async () => {
    expect((await cli.run(["login", server.url, "--token", server.adminToken])).code).toBe(0);
    const result = await cli.run(["logout", "--revoke"]);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain("is the last live token of an admin of every environment");
    expect(await savedToken()).toBe(server.adminToken);
    expect((await cli.run(["whoami"])).code).toBe(0);
  });

  it("revokes the saved token on the server, then forgets it", async () => {
    const created = JSON.parse((await cli.run(["tokens", "create", "laptop", "--json"])).stdout);
    expect((await cli.run(["login", server.url, "--token", created.token])).code).toBe(0);
    const result = await cli.run(["logout", "--revoke"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`revoked token laptop (${created.id}) on ${server.url}`);
    expect(await savedToken()).toBeUndefined();
    const after = await cli.run(["whoami"], { env: { SLIPWAY_TOKEN: created.token } });
    expect(after.code).toBe(3);
  });

  it("forgets a token the server already rejects", async () => {
    const created = JSON.parse(
      (await cli.run(["tokens", "create", "gone", "--json"], { env: { SLIPWAY_TOKEN: server.adminToken } }))
        .stdout,
    );
    expect((await cli.run(["login", server.url, "--token", created.token])).code).toBe(0);
    expect(
      (await cli.run(["tokens", "revoke", created.id], { env: { SLIPWAY_TOKEN: server.adminToken } })).code,
    ).toBe(0);
    const result = await cli.run(["logout", "--revoke", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ loggedOut: true, revoked: null });
    expect(await savedToken()).toBeUndefined();
  });
});

describe("slipway admin-token", () => {
  it("issues a working admin token from the data directory of a running platform", async () => {
    const result = await cli.run(["admin-token", "--data", server.home]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^slp_[0-9A-Za-z]{40}\n$/);
    expect(result.stderr).toContain("issued admin token recovery");
    expect(result.stderr).toContain("It is shown only this once");
    const token = result.stdout.trim();
    const me = await cli.run(["whoami", "--json"], { env: { SLIPWAY_TOKEN: token } });
    expect(me.code).toBe(0);
    expect(JSON.parse(me.stdout)).toMatchObject({
      user: { name: "admin" },
      roles: [{ role: "admin", environment: "*" }],
      token: { name: "recovery" },
    });
    // The platform's own timeline shows it, without the token.
    const events = await cli.run(["events", "--kind", "token.created", "--json"], {
      env: { SLIPWAY_TOKEN: token },
    });
    expect(events.stdout).toContain("issued from the data directory by local:");
    expect(events.stdout).not.toContain(token);
  });

  it("names the directory and what to pass when there is no database there", async () => {
    const missing = join(cli.dir, "no-such-data");
    const result = await cli.run(["admin-token", "--data", missing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `error: no Slipway database in ${missing}\nhint: pass the platform's data directory with --data (or SLIPWAY_HOME), or set SLIPWAY_DATABASE_URL for PostgreSQL\n`,
    );
  });
});
