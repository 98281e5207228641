import { mkdir, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import {
  type CliRun,
  type CliSandbox,
  type DeployFixture,
  runBinary,
  startDeployFixture,
} from "./support/slipway-cli.js";

// End to end: the built `slipway` binary deploys a real Node app onto a real platform (process
// runtime, router) on 127.0.0.1, then lists, rolls back, scales and restarts it.

/** A tiny app: "<greeting> (secret: yes|no)" on /, 200 on /healthz; says so on stdout when it listens. */
function serverSource(greeting: string): string {
  return `
const http = require("node:http");
const fs = require("node:fs");
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") { res.end("ok"); return; }
  res.end(${JSON.stringify(greeting)} + " (secret: " + (fs.existsSync("secret.txt") ? "yes" : "no") + ")");
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening on " + process.env.PORT));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;
}

const spec = [
  "service: hello",
  "start: node server.js",
  "replicas: 2",
  "health:",
  "  readiness:",
  "    http: /healthz",
  "    period: 200ms",
  "deploy:",
  "  drainTimeout: 2s",
  "  readyTimeout: 8s",
  "environments:",
  "  staging: {}",
  "",
].join("\n");

let fixture: DeployFixture | undefined;
let platform: RunningPlatform;
let cli: CliSandbox;
let appDir: string;

/** Runs the CLI in the app's directory, with room for a build and a rollout. */
function slipway(args: string[]): Promise<CliRun> {
  return runBinary(args, { env: cli.env, cwd: appDir, timeoutMs: 90_000 });
}

/** GET / through the router, addressed by Host header as a browser would by name. */
function viaRouter(url: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  const routerPort = new URL(platform.routerUrl).port;
  expect(port).toBe(routerPort);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path: "/", headers: { host: `${hostname}:${port}` } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function writeApp(greeting: string, server = serverSource(greeting)): Promise<void> {
  await writeFile(join(appDir, "server.js"), server);
}

beforeAll(async () => {
  fixture = await startDeployFixture();
  ({ platform, cli } = fixture);
  appDir = join(cli.dir, "hello");
  await mkdir(join(appDir, "node_modules", "left-pad"), { recursive: true });
  await writeFile(join(appDir, "node_modules", "left-pad", "index.js"), "module.exports = 1;");
  await writeFile(join(appDir, ".gitignore"), "secret.txt\n");
  await writeFile(join(appDir, "secret.txt"), "do not upload me");
  await writeFile(join(appDir, "slipway.yaml"), spec);
}, 60_000);
afterAll(async () => {
  await fixture?.close();
});

describe("slipway deploy", () => {
  let url: string;

  it("builds, rolls out two replicas, prints the URL, and the router serves the app", async () => {
    await writeApp("hello v1");
    const result = await slipway(["deploy"]);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^created service hello from slipway\.yaml$/m);
    expect(result.stdout).toMatch(/^uploaded \d+ files \(.+ packed\): release v1$/m);
    expect(result.stdout).toMatch(/^built v1$/m);
    expect(result.stdout).toMatch(/^ {2}✓ .*is ready/m);
    const match = /^hello v1 is live in staging: (http:\/\/hello\.staging\.localhost:\d+)$/m.exec(
      result.stdout,
    );
    expect(match, result.stdout).not.toBeNull();
    url = match?.[1] ?? "";
    // The .gitignore'd file stayed home: the app cannot see it.
    expect(await viaRouter(url)).toEqual({ status: 200, text: "hello v1 (secret: no)" });
  });

  it("--json prints one object with the release, the deployment, its status and the URL", async () => {
    await writeApp("hello v2");
    const result = await slipway(["deploy", ".", "--env", "staging", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const outcome = JSON.parse(result.stdout);
    expect(outcome).toMatchObject({
      release: { version: 2, status: "ready" },
      deployment: { status: "succeeded", release: 2, environment: "staging" },
      status: "succeeded",
      url,
    });
    expect((await viaRouter(url)).text).toBe("hello v2 (secret: no)");
  });

  it("releases lists both, newest first, with where each is live", async () => {
    const result = await slipway(["releases", "hello"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^VERSION\s+STATUS\s+COMMIT\s+CREATED\s+LIVE IN$/m);
    expect(result.stdout).toMatch(/^v2\s+ready\s+-\s+(just now|\d+s ago)\s+staging\n/m);
    expect(result.stdout).toMatch(/^v1\s+ready\s+-\s+(just now|\d+s ago)\s+-$/m);
    const json = JSON.parse((await slipway(["releases", "hello", "--json"])).stdout);
    expect(json.releases.map((release: { version: number }) => release.version)).toEqual([2, 1]);
  });

  it("logs shows the replicas' stdout", async () => {
    const result = await slipway(["logs", "hello"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \S+ stdout listening on \d+$/m);
    const json = (await slipway(["logs", "hello", "--grep", "listening", "--limit", "1", "--json"])).stdout;
    const lines = json.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "")).toMatchObject({ stream: "stdout", release: "v2" });
  });

  it("a release that exits at start fails the deploy with its last log lines; the old one keeps serving", async () => {
    await writeApp("broken", 'console.error("cannot connect to the database"); process.exit(3);');
    const result = await slipway(["deploy"]);
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toMatch(/^error: the deployment of hello v3 to staging failed/m);
    expect(result.stderr).toContain("| cannot connect to the database");
    expect(result.stderr).toMatch(/^hint: `slipway logs hello --env staging`/m);
    expect((await viaRouter(url)).text).toBe("hello v2 (secret: no)");
  });

  it("rollback (service from ./slipway.yaml) goes back to the release before, without a build", async () => {
    const result = await slipway(["rollback", "--to", "v1"]);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^rolling back hello in staging \(v1, deployment \S+\)$/m);
    expect(result.stdout).toMatch(/^hello v1 is live in staging: http:/m);
    expect((await viaRouter(url)).text).toBe("hello v1 (secret: no)");
  });

  it("scale sets the replica count and status shows it", async () => {
    const result = await slipway(["scale", "hello", "1"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe("scaled hello in staging to 1 replica\n");
    let status: CliRun | undefined;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      status = await slipway(["status", "hello"]);
      if (/^hello\/staging {2}v1 {2}1\/1 ready/m.test(status.stdout)) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status?.stdout).toMatch(
      /^hello\/staging {2}v1 {2}1\/1 ready {2}http:\/\/hello\.staging\.localhost:\d+$/m,
    );
    expect(status?.stdout).toMatch(/^ {2}REPLICA\s+STATE\s+RESTARTS\s+LAST EXIT\s+PROBLEM$/m);
    expect(status?.stdout).toMatch(/^ {2}\S+\s+Ready\s+0\s+-$/m);
  });

  it("restart rolls the replicas and waits for it", async () => {
    const result = await slipway(["restart", "hello"]);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^hello v1 restarted in staging: http:/m);
    expect((await viaRouter(url)).text).toBe("hello v1 (secret: no)");
  });

  it("--no-wait returns once the upload is accepted", async () => {
    await writeApp("hello v4");
    const result = await slipway(["deploy", "--no-wait", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      release: { version: 4 },
      deployment: null,
      status: "building",
    });
  });

  it("a failing build stops there with exit 1 and the build's output", async () => {
    const dir = join(cli.dir, "unbuildable");
    await mkdir(dir);
    await writeFile(join(dir, "server.js"), serverSource("never"));
    await writeFile(
      join(dir, "slipway.yaml"),
      spec
        .replace("service: hello", "service: unbuildable")
        .replace("start:", 'build: echo "compiling…"; exit 4\nstart:'),
    );
    const result = await runBinary(["deploy", "unbuildable"], {
      env: cli.env,
      cwd: cli.dir,
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^ {2}build \| compiling…$/m);
    expect(result.stderr).toMatch(/^error: the build of unbuildable v1 failed: .*\b4\b/m);
    expect(result.stderr).toContain("`slipway logs unbuildable --build 1` shows it again");

    // Later, from another terminal: the same output, and how the build ended.
    const again = await runBinary(["logs", "unbuildable", "--build", "v1"], { env: cli.env, cwd: cli.dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^ {2}build \| compiling…$/m);
    expect(again.stderr).toMatch(/the build of unbuildable v1 failed: .*\b4\b/);
    const mixed = await runBinary(["logs", "unbuildable", "--build", "1", "--grep", "x"], {
      env: cli.env,
      cwd: cli.dir,
    });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain("--build cannot be combined with --grep");
  });

  it("follows a canary to its end past --timeout: its pauses are not waiting", async () => {
    const dir = join(cli.dir, "birdy");
    await mkdir(dir);
    await writeFile(join(dir, "server.js"), serverSource("tweet"));
    await writeFile(join(dir, "slipway.yaml"), spec.replace("service: hello", "service: birdy"));
    expect(
      (await runBinary(["deploy", "birdy"], { env: cli.env, cwd: cli.dir, timeoutMs: 60_000 })).code,
    ).toBe(0);
    await writeFile(
      join(dir, "slipway.yaml"),
      spec
        .replace("service: hello", "service: birdy")
        .replace("deploy:", "deploy:\n  strategy: canary\n  canary: { steps: [{ weight: 50, pause: 8s }] }"),
    );
    const result = await runBinary(["deploy", "birdy", "--timeout", "6s"], {
      env: cli.env,
      cwd: cli.dir,
      timeoutMs: 60_000,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("canary at 50% for 8s: watching");
    expect(result.stdout).toMatch(/birdy v2 is live in staging/);
  }, 60_000);

  it("gives up at --timeout with exit 1, naming what it waited for", async () => {
    const dir = join(cli.dir, "slow");
    await mkdir(dir);
    await writeFile(join(dir, "server.js"), serverSource("slow"));
    await writeFile(
      join(dir, "slipway.yaml"),
      spec.replace("service: hello", "service: slow").replace("start:", "build: sleep 20\nstart:"),
    );
    const started = Date.now();
    const result = await runBinary(["deploy", "slow", "--timeout", "2s"], { env: cli.env, cwd: cli.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: timed out after 2s waiting for the build of slow v1$/m);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
