import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { RuntimeError } from "../runtime-error.js";
import { type PidRecord, type ReplicaPaths, readStateFile } from "./replica-state.js";
import type { ShimConfig } from "./shim-config.js";

/**
 * The shim's entry beside this file: shim.js in dist/, shim.ts when running from src/ (tests),
 * where Node strips the types itself.
 */
export const SHIM_ENTRY = fileURLToPath(
  new URL(import.meta.url.endsWith(".ts") ? "./shim.ts" : "./shim.js", import.meta.url),
);

/** How to start a shim. */
export interface SpawnShimOptions {
  nodePath: string;
  paths: ReplicaPaths;
  config: ShimConfig;
  timeoutMs: number;
}

/**
 * Starts a replica's shim detached from the platform (its own session, no pipe left to the
 * platform once the config is written) and waits until it reports the replica's pid.
 */
export async function spawnShim({
  nodePath,
  paths,
  config,
  timeoutMs,
}: SpawnShimOptions): Promise<PidRecord> {
  const shimLog = openSync(paths.shimLog, "a", 0o600);
  let failure: string | undefined;
  const shim = spawn(nodePath, [SHIM_ENTRY, paths.dir], {
    detached: true,
    cwd: "/",
    // A clean environment: NODE_OPTIONS and the like of the platform must not shape the shim.
    env: { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin" },
    stdio: ["pipe", shimLog, shimLog],
  });
  closeSync(shimLog);
  shim.once("error", (error) => {
    failure = `cannot run ${nodePath}: ${error.message}`;
  });
  shim.once("exit", (code, signal) => {
    failure ??= `its supervisor exited (${signal ?? `code ${code}`}) before the replica ran: ${tail(paths.shimLog)}`;
  });
  shim.stdin?.on("error", () => {
    // The shim died before reading its config; the exit handler reports why.
  });
  shim.stdin?.end(JSON.stringify(config));
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = readStateFile<PidRecord>(paths.pid);
      if (run !== undefined) {
        return run;
      }
      if (failure !== undefined) {
        throw new RuntimeError("start-failed", `replica "${config.replicaId}": ${failure}`);
      }
      if (Date.now() > deadline) {
        shim.kill("SIGKILL");
        throw new RuntimeError(
          "start-failed",
          `replica "${config.replicaId}": its supervisor did not start within ${timeoutMs} ms`,
        );
      }
      await sleep(10);
    }
  } finally {
    // From here on the shim lives on its own; the platform may exit or crash.
    shim.unref();
  }
}

function tail(file: string): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-5).join(" | ") || "no output";
  } catch {
    return "no output";
  }
}
