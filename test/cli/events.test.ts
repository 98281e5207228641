import { spawn } from "node:child_process";
import { copyFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliSandbox,
  createCliSandbox,
  nodeBinary,
  slipwayBinary,
  startTestPlatform,
  type TestPlatform,
} from "./support/slipway-cli.js";

// End to end: the built `slipway` binary against a real server on 127.0.0.1.
let server: TestPlatform;
let cli: CliSandbox;
beforeAll(async () => {
  server = await startTestPlatform();
  cli = await createCliSandbox();
  expect((await cli.run(["login", server.url, "--token", server.adminToken])).code).toBe(0);
  await copyFile(
    fileURLToPath(new URL("fixtures/hello-api.slipway.yaml", import.meta.url)),
    join(cli.dir, "slipway.yaml"),
  );
  expect((await cli.run(["apply"])).code).toBe(0);
  expect((await cli.run(["tokens", "create", "ci"])).code).toBe(0);
});
afterAll(async () => {
  await cli?.cleanup();
  await server?.close();
});

describe("slipway events", () => {
  it("lists the domain and audit events so far", async () => {
    const result = await cli.run(["events"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^TIME\s+KIND\s+SERVICE\s+ENV\s+ACTOR\s+MESSAGE$/m);
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+platform\.started\s/m);
    expect(result.stdout).toMatch(/\sservice\.created\s+hello-api\s+-\s+admin\s/);
    expect(result.stdout).toMatch(/\stoken\.created\s/);
  });

  it("filters by service and kind, as JSON", async () => {
    const result = await cli.run(["events", "--service", "hello-api", "--since", "10m", "--json"]);
    expect(result.code).toBe(0);
    const { events } = JSON.parse(result.stdout);
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((event: { service: string }) => event.service === "hello-api")).toBe(true);
    const tokens = JSON.parse((await cli.run(["events", "--kind", "token.*", "--json"])).stdout);
    expect(tokens.events.map((event: { kind: string }) => event.kind)).toEqual(["token.created"]);
  });

  it("--since keeps the newest events of the window, oldest first, and says when --limit cut", async () => {
    const newest = await cli.run(["events", "--limit", "2", "--json"]);
    const windowed = await cli.run(["events", "--since", "10m", "--limit", "2", "--json"]);
    expect(windowed.code, windowed.stderr).toBe(0);
    const seqs = (run: { stdout: string }) =>
      (JSON.parse(run.stdout).events as { seq: number }[]).map((event) => event.seq);
    expect(seqs(windowed)).toEqual(seqs(newest));
    expect(seqs(windowed)[0]).toBeLessThan(seqs(windowed)[1] ?? 0);
    expect(JSON.parse(windowed.stdout).truncated).toBe(true);
    expect(windowed.stderr).toBe("");

    const human = await cli.run(["events", "--since", "10m", "--limit", "2"]);
    expect(human.code).toBe(0);
    expect(human.stdout.trim().split("\n")).toHaveLength(3);
    expect(human.stderr).toBe("showing the latest 2 events since 10m; --limit N (up to 1000) shows more\n");
    const all = await cli.run(["events", "--since", "10m"]);
    expect(all.stderr).toBe("");
  });

  it("checks --since and --limit itself: a usage error (exit 2) naming the flag and the form", async () => {
    const since = await cli.run(["events", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toBe(
      'error: --since "yesterday" is not a duration or time\n' +
        "hint: use a duration back from now like 10m, 2h or 1d, or an ISO-8601 time like 2026-11-27T18:00:00Z\n",
    );
    const limit = await cli.run(["events", "--limit", "0"]);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/^error: --limit "0" is not a whole number from 1 to 1000\n/);
    expect(limit.stderr).not.toContain("query.");
  });

  it("rejects a malformed filter with the server's reason", async () => {
    const result = await cli.run(["events", "--kind", "Not A Kind"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: /);
  });

  it("-f follows new events live, one JSON object per line", async () => {
    const child = spawn(nodeBinary, [slipwayBinary, "events", "-f", "--json", "--kind", "secret.*"], {
      env: cli.env,
      cwd: cli.dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    const firstLine = new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk) => {
        stdout += chunk;
        const newline = stdout.indexOf("\n");
        if (newline !== -1) {
          resolve(stdout.slice(0, newline));
        }
      });
      child.on("close", (code) => reject(new Error(`events -f ended early (exit ${code}): ${stderr}`)));
    });
    try {
      // Give the stream time to connect, then cause an event (retrying covers a slow start).
      let line: string | undefined;
      for (let attempt = 0; attempt < 10 && line === undefined; attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 300));
        const set = await cli.run(["secrets", "set", "hello-api", `LIVE_${attempt}`], { stdin: "value" });
        expect(set.code).toBe(0);
        line = await Promise.race([
          firstLine,
          new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 700)),
        ]);
      }
      expect(line).toBeDefined();
      expect(JSON.parse(line ?? "")).toMatchObject({
        kind: "secret.set",
        service: "hello-api",
        actor: "admin",
      });
    } finally {
      child.kill("SIGTERM");
    }
  });
});
