import { spawn } from "node:child_process";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import { probedServiceSpec, writeAppDir } from "./support/app-dir.js";
import {
  type CliSandbox,
  type DeployFixture,
  nodeBinary,
  runBinary,
  slipwayBinary,
  startDeployFixture,
} from "./support/slipway-cli.js";

// End to end: `slipway logs` of a real replica, listed, filtered and followed live.

const server = `
const http = require("node:http");
http.createServer((req, res) => {
  if (req.url === "/healthz") { res.end("ok"); return; }
  console.log("request " + req.url);
  if (req.url.startsWith("/fail")) { console.error("failed " + req.url); }
  res.end("ok");
}).listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening on " + process.env.PORT));
`;

const spec = probedServiceSpec("talker");

let fixture: DeployFixture | undefined;
let platform: RunningPlatform;
let cli: CliSandbox;
let appDir: string;

function slipway(args: string[]) {
  return runBinary(args, { env: cli.env, cwd: appDir, timeoutMs: 60_000 });
}

/** GET a path of the service through the router. */
function get(path: string): Promise<number> {
  const { port } = new URL(platform.routerUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, headers: { host: "talker.staging.localhost" } },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  fixture = await startDeployFixture();
  ({ platform, cli } = fixture);
  appDir = await writeAppDir(cli.dir, "talker", server, spec);
  const deployed = await slipway(["deploy"]);
  expect(deployed.code, deployed.stderr).toBe(0);
  expect(await get("/fail-once")).toBe(200);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

describe("slipway logs", () => {
  it("lists stdout and stderr lines as TIME REPLICA STREAM line, oldest first", async () => {
    const result = await slipway(["logs", "talker"]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} rep_\S+ stdout listening on \d+$/);
    expect(result.stdout).toMatch(/ stdout request \/fail-once\n/);
    expect(result.stdout).toMatch(/ stderr failed \/fail-once\n/);
  });

  it("filters with --grep and --replica, and prints JSON lines", async () => {
    const json = await slipway(["logs", "talker", "--grep", "failed", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    const lines = json.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ stream: "stderr", line: "failed /fail-once", release: "v1" }),
    ]);
    const replica = lines[0].replica as string;
    const mine = await slipway(["logs", "talker", "--replica", replica, "--env", "staging"]);
    expect(mine.stdout).toContain("listening on");
    const unknown = await slipway(["logs", "talker", "--replica", "rep_nope"]);
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toMatch(/^error: No replica rep_nope/);
  });

  it("checks --since and --grep itself: a usage error (exit 2) naming the flag and the form", async () => {
    const since = await slipway(["logs", "talker", "--since", "yesterday"]);
    expect(since.code).toBe(2);
    expect(since.stderr).toBe(
      'error: --since "yesterday" is not a duration or time\n' +
        "hint: use a duration back from now like 10m, 2h or 1d, or an ISO-8601 time like 2026-11-27T18:00:00Z\n",
    );
    const grep = await slipway(["logs", "talker", "--grep", ""]);
    expect(grep.code).toBe(2);
    expect(grep.stderr).toMatch(/^error: --grep "" is empty\nhint: /);
    const long = await slipway(["logs", "talker", "--grep", "x".repeat(201)]);
    expect(long.code).toBe(2);
    expect(long.stderr).toMatch(/^error: --grep text is 201 characters long, over 200\n/);
    const fine = await slipway(["logs", "talker", "--since", "1h", "--grep", "fail-once"]);
    expect(fine.code, fine.stderr).toBe(0);
    expect(fine.stdout).toMatch(/ stdout request \/fail-once\n/);
  });

  it("-f prints what was there, then new lines as they come, each once", async () => {
    const child = spawn(nodeBinary, [slipwayBinary, "logs", "talker", "-f", "--json"], {
      env: cli.env,
      cwd: appDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    try {
      let seen = false;
      for (let attempt = 0; attempt < 20 && !seen; attempt += 1) {
        await get(`/live-${attempt}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
        seen = stdout.includes('"request /live-');
      }
      expect(seen, stderr).toBe(true);
      const lines = stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as { line: string });
      expect(lines.filter((line) => line.line.startsWith("listening on"))).toHaveLength(1);
      expect(lines.filter((line) => line.line === "request /fail-once")).toHaveLength(1);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
