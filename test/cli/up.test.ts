import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliSandbox, createCliSandbox } from "./support/slipway-cli.js";
import { startUp } from "./support/start-up.js";

// End to end: `slipway up` run as a real foreground process, then stopped with SIGTERM.
let cli: CliSandbox;
beforeAll(async () => {
  cli = await createCliSandbox();
});
afterAll(async () => {
  await cli?.cleanup();
});

describe("slipway up", () => {
  const dataDir = () => join(cli.dir, "data");

  it("on first start prints the URL and the admin token once, and logs this machine's CLI in", async () => {
    const { child, banner, exited } = await startUp(cli, dataDir());
    try {
      const url = banner.match(/Slipway is running at (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      const token = banner.match(/^ {2}(slp_[A-Za-z0-9]{40})$/m)?.[1];
      expect(url).toBeDefined();
      expect(token).toBeDefined();
      expect(banner).toContain(
        `hint: log in from another shell or machine with \`slipway login ${url} --token ${token}\``,
      );
      expect(banner).toContain(`Saved the URL and this token to ${cli.configPath}`);
      expect((await stat(cli.configPath)).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(cli.configPath, "utf8"))).toEqual({ url, token });

      const whoami = await cli.run(["whoami", "--json"]);
      expect(whoami.code).toBe(0);
      expect(JSON.parse(whoami.stdout).user.name).toBe("admin");
      const version = await cli.run(["version", "--json"]);
      expect(JSON.parse(version.stdout)).toMatchObject({ server: { url, version: expect.any(String) } });
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("on the next start shows no token and leaves the config alone", async () => {
    const before = await readFile(cli.configPath, "utf8");
    const { child, banner, exited } = await startUp(cli, dataDir());
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(banner).toMatch(/Slipway is running at http:\/\/127\.0\.0\.1:\d+/);
    expect(banner).not.toMatch(/slp_/);
    expect(await readFile(cli.configPath, "utf8")).toBe(before);
  });

  it("refuses a second platform on the same data directory (exit 6), saying who holds it", async () => {
    const { child, exited } = await startUp(cli, dataDir());
    try {
      const second = await cli.run(["up", "--port", "0", "--router-port", "0", "--data", dataDir()]);
      expect(second.code).toBe(6);
      expect(second.stderr).toMatch(
        new RegExp(
          `^error: Another Slipway platform \\(pid ${child.pid} on \\S+, started \\S+\\) is using the data directory ${dataDir()}: `,
        ),
      );
      expect(second.stderr).not.toContain("unexpected error");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });

  it("--deploy serves a service right after the start, and `slipway down` stops it and the platform", async () => {
    const examples = join(import.meta.dirname, "..", "..", "examples", "hello-api");
    const { child, banner, exited } = await startUp(cli, join(cli.dir, "data-deploy"), [
      "--deploy",
      examples,
    ]);
    try {
      expect(banner).toMatch(/hello-api v1 is live in staging: http:\/\/hello-api\.staging\.localhost:\d+/);
      const routerUrl = banner.match(/services: +(http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      // fetch forbids setting Host: undici's request does not.
      const { request } = await import("undici");
      const viaRouter = await request(`${routerUrl}/`, { headers: { host: "hello-api.staging.localhost" } });
      expect(JSON.parse(await viaRouter.body.text())).toMatchObject({ message: "Hello from hello-api" });
      const url = banner.match(/Slipway is running at (\S+)/)?.[1] ?? "";
      const token = banner.match(/^ {2}(slp_[A-Za-z0-9]{40})$/m)?.[1] ?? "";
      const status = await cli.run(["status", "hello-api", "--json", "--url", url, "--token", token]);
      const pids = (JSON.parse(status.stdout).environments[0].replicas as { pid: number }[]).map(
        (r) => r.pid,
      );
      expect(pids).toHaveLength(2);

      const down = await cli.run(["down", "--url", url, "--token", token]);
      expect(down.code).toBe(0);
      for (const pid of pids) {
        expect(() => process.kill(pid, 0)).toThrow();
      }
      // `down && up` works at once: a platform still finishing its shutdown is waited for.
      const again = await startUp(cli, join(cli.dir, "data-deploy"));
      expect(await exited).toBe(0);
      // It runs hello-api again (its live release, two replicas): `down` stops those too, so the
      // test leaves no process behind.
      const secondDown = await cli.run(["down", "--url", again.url, "--token", token]);
      expect(secondDown.code, secondDown.stderr).toBe(0);
      expect(await again.exited).toBe(0);
    } finally {
      child.kill("SIGTERM");
    }
  }, 60_000);

  it("names the router's port when it is taken, with a hint", async () => {
    const { createServer } = await import("node:net");
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await cli.run([
        "up",
        "--port",
        "0",
        "--router-port",
        String(port),
        "--data",
        join(cli.dir, "data-busy"),
      ]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`error: the router's port ${port} on 127.0.0.1 is already in use`);
      expect(run.stderr).toContain("--router-port");
    } finally {
      blocker.close();
    }
  });

  it("refuses an event retention it cannot read, naming the flag and the forms it takes", async () => {
    const run = await cli.run([
      "up",
      "--port",
      "0",
      "--data",
      join(cli.dir, "data-retention"),
      "--event-retention",
      "3 months",
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--event-retention 3 months is not a retention period");
    expect(run.stderr).toContain("30d, 12h or 1d12h, or forever");
  });
});
