import { statSync } from "node:fs";
import { isAbsolute } from "node:path";
import type { ReplicaSpec } from "../runtime.js";
import { RuntimeError } from "../runtime-error.js";

const REPLICA_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/**
 * Checks a spec before anything is created, so a bad one fails with a message naming the
 * field and the fix instead of a half-started replica.
 */
export function validateSpec(spec: ReplicaSpec): void {
  const fail = (field: string, problem: string): never => {
    throw new RuntimeError("invalid-spec", `replica "${spec.id}": ${field} ${problem}`);
  };
  if (!REPLICA_ID.test(spec.id) || spec.id.includes("..")) {
    fail("id", "must be 1-128 letters, digits, '_', '.' or '-', starting with a letter or digit");
  }
  if (spec.command.trim() === "") {
    fail("command", "is empty; set the service's start command");
  }
  if (!isAbsolute(spec.cwd) || !isDirectory(spec.cwd)) {
    fail("cwd", `${spec.cwd} is not an existing directory; build the release first`);
  }
  if (!isAbsolute(spec.logDir)) {
    fail("logDir", `${spec.logDir} must be an absolute path`);
  }
  if (spec.port !== undefined && !(Number.isInteger(spec.port) && spec.port > 0 && spec.port < 65536)) {
    fail("port", `${spec.port} is not a TCP port (1-65535)`);
  }
  const { memoryBytes, cpuCores, maxProcesses } = spec.resources;
  if (memoryBytes !== undefined && !(Number.isInteger(memoryBytes) && memoryBytes >= 4 * 1024 * 1024)) {
    fail("resources.memoryBytes", `${memoryBytes} must be a whole number of bytes, at least 4 MiB`);
  }
  if (cpuCores !== undefined && !(Number.isFinite(cpuCores) && cpuCores >= 0.01)) {
    fail("resources.cpuCores", `${cpuCores} must be at least 0.01 (10m)`);
  }
  // The shell that starts the command and the command itself: fewer could not run anything.
  if (maxProcesses !== undefined && !(Number.isInteger(maxProcesses) && maxProcesses >= 2)) {
    fail("resources.maxProcesses", `${maxProcesses} must be a whole number of processes, at least 2`);
  }
  for (const name of Object.keys(spec.env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) {
      fail("env", `name "${name}" is not a valid environment variable name`);
    }
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
