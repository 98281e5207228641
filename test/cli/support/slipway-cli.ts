import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type RunningPlatform, startPlatform } from "../../../src/api/index.js";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** Node 24 from node_modules, as `npx slipway` would use it; the system node may be older. */
export const nodeBinary = join(repoRoot, "node_modules", ".bin", "node");
/** The real executable, running the dist/ build made by test/support/build-global-setup.ts. */
export const slipwayBinary = join(repoRoot, "bin", "slipway.js");

/** What one run of the binary did. */
export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A sandbox for the CLI: its own HOME and config file, so nothing touches the real user's. */
export interface CliSandbox {
  dir: string;
  configPath: string;
  env: NodeJS.ProcessEnv;
  run(args: string[], options?: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string }): Promise<CliRun>;
  cleanup(): Promise<void>;
}

/** Creates a temp HOME and SLIPWAY_CONFIG; `run` spawns `bin/slipway.js` in it. */
export async function createCliSandbox(): Promise<CliSandbox> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-cli-e2e-"));
  const configPath = join(dir, "config", "slipway.json");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: dir,
    SLIPWAY_CONFIG: configPath,
  };
  return {
    dir,
    configPath,
    env,
    run: (args, options = {}) =>
      runBinary(args, { env: { ...env, ...options.env }, cwd: options.cwd ?? dir, stdin: options.stdin }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Spawns the binary, feeding `stdin` (then closing it) and collecting its output. */
export function runBinary(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; stdin?: string | undefined; timeoutMs?: number },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(nodeBinary, [slipwayBinary, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ["pipe", "pipe", "pipe"],
      timeout: options.timeoutMs ?? 20_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(options.stdin ?? "");
  });
}

/** A real Slipway server on 127.0.0.1 and a free port, with its data in a temp dir. */
export interface TestPlatform {
  url: string;
  adminToken: string;
  home: string;
  platform: RunningPlatform;
  close(): Promise<void>;
}

/**
 * Starts the platform in-process (first start, so it prints an admin token). Tests that deploy
 * pass `stopReplicasOnClose` so no replica outlives them.
 */
export async function startTestPlatform(
  options: { stopReplicasOnClose?: boolean } = {},
): Promise<TestPlatform> {
  const home = await mkdtemp(join(tmpdir(), "slipway-cli-e2e-home-"));
  const platform = await startPlatform({
    home,
    port: 0,
    routerPort: 0,
    host: "127.0.0.1",
    logLevel: "silent",
    stopReplicasOnClose: options.stopReplicasOnClose === true,
  });
  if (platform.adminToken === null) {
    throw new Error("a fresh data dir must give an admin token");
  }
  return {
    url: platform.url,
    adminToken: platform.adminToken,
    home,
    platform,
    close: async () => {
      await platform.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A platform that stops its replicas on close, and a CLI sandbox already logged in to it. */
export interface DeployFixture {
  platform: RunningPlatform;
  cli: CliSandbox;
  close(): Promise<void>;
}

export async function startDeployFixture(): Promise<DeployFixture> {
  const server = await startTestPlatform({ stopReplicasOnClose: true });
  const cli = await createCliSandbox();
  const login = await cli.run(["login", server.url, "--token", server.adminToken]);
  if (login.code !== 0) {
    throw new Error(`login failed: ${login.stderr}`);
  }
  return {
    platform: server.platform,
    cli,
    close: async () => {
      await cli.cleanup();
      await server.close();
    },
  };
}
