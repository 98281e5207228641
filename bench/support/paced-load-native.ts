import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { onCpus } from "./cpu-affinity.js";
import type { PacedResult } from "./paced-load.js";

const source = fileURLToPath(new URL("./paced-load.c", import.meta.url));

/**
 * The C build of the paced load (paced-load.c), compiled once with the machine's `cc` into the
 * temporary directory; undefined when there is no C compiler (the caller falls back to the
 * JavaScript generator).
 */
export function nativePacedLoad(): string | undefined {
  const digest = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 12);
  const binary = join(tmpdir(), `slipway-paced-load-${digest}`);
  if (existsSync(binary)) {
    return binary;
  }
  const built = spawnSync("cc", ["-O2", "-o", binary, source], { encoding: "utf8" });
  return built.status === 0 ? binary : undefined;
}

/**
 * One paced run with the C generator (see paced-load.c for the method); on the CPUs `cpuList`
 * names when given (`taskset -c`).
 */
export function nativePacedLatency(
  binary: string,
  options: { url: string; host: string; rate: number; durationSeconds: number; connections: number },
  cpuList?: string,
): PacedResult {
  const { hostname, port } = new URL(options.url);
  const args = [hostname, port, options.host, String(options.rate)];
  const spawnGenerator = (more: string[]) => {
    const [command, commandArgs] =
      cpuList === undefined ? [binary, [...args, ...more]] : onCpus(cpuList, binary, [...args, ...more]);
    return spawnSync(command, commandArgs, { encoding: "utf8" });
  };
  // One second first, to open and warm the connections; then the measured run.
  spawnGenerator(["1", String(options.connections)]);
  const run = spawnGenerator([String(options.durationSeconds), String(options.connections)]);
  if (run.status !== 0) {
    throw new Error(`paced load failed: ${run.stderr.trim()}`);
  }
  return JSON.parse(run.stdout) as PacedResult;
}
