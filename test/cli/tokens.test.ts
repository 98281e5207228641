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
  const login = await cli.run(["login", server.url, "--token", server.adminToken]);
  expect(login.code).toBe(0);
});
afterAll(async () => {
  await cli?.cleanup();
  await server?.close();
});

describe("slipway tokens", () => {
  let created: { token: string; id: string; name: string; expiresAt: string | null };

  it("creates a token and shows it once", async () => {
    const result = await cli.run(["tokens", "create", "ci", "--expires", "30d", "--json"]);
    expect(result.code).toBe(0);
    created = JSON.parse(result.stdout);
    expect(created.token).toMatch(/^slp_[A-Za-z0-9]{40}$/);
    expect(created.name).toBe("ci");
    expect(Date.parse(created.expiresAt ?? "")).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });

  it("prints the token alone on stdout in human mode, the note on stderr", async () => {
    const result = await cli.run(["tokens", "create", "laptop"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^slp_[A-Za-z0-9]{40}\n$/);
    expect(result.stderr).toContain("It is shown only this once");
  });

  it("lists tokens without ever showing one again", async () => {
    const human = await cli.run(["tokens", "list"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^ID\s+NAME\s+USER\s+PREFIX\s+CREATED\s+EXPIRES\s+LAST USED\s+STATE$/m);
    expect(human.stdout).toMatch(
      new RegExp(
        `^${created.id}\\s+ci\\s+admin\\s+\\S+…\\s+(just now|\\d+s ago)\\s+in (29|30)d\\s+never\\s+active$`,
        "m",
      ),
    );
    expect(human.stdout).not.toContain(created.token);
    const json = JSON.parse((await cli.run(["tokens", "list", "--json"])).stdout);
    expect(json.tokens.map((token: { name: string }) => token.name)).toEqual(
      expect.arrayContaining(["ci", "laptop"]),
    );
    expect(JSON.stringify(json)).not.toContain(created.token);
  });

  it("the new token works until it is revoked, then fails with exit 3", async () => {
    const before = await cli.run(["whoami", "--json"], { env: { SLIPWAY_TOKEN: created.token } });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout).token.name).toBe("ci");

    const revoke = await cli.run(["tokens", "revoke", created.id]);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toBe(`revoked token ${created.id}\n`);

    const after = await cli.run(["whoami"], { env: { SLIPWAY_TOKEN: created.token } });
    expect(after.code).toBe(3);
    expect(after.stderr).toBe(
      `error: your token is invalid, expired or revoked\nhint: run \`slipway login ${server.url}\`\n`,
    );

    const list = await cli.run(["tokens", "list"]);
    expect(list.stdout).toMatch(new RegExp(`^${created.id}\\s.*\\srevoked$`, "m"));
  });

  it("revoking an unknown id exits 5", async () => {
    const result = await cli.run(["tokens", "revoke", "tok_doesnotexist"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^error: .+\nhint: .+\n$/);
  });

  it("refuses a bad lifetime with the server's reason", async () => {
    const result = await cli.run(["tokens", "create", "x", "--expires", "forever"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
  });
});
