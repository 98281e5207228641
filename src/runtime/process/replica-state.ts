import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ReplicaCgroups } from "../cgroups/replica-cgroup.js";
import type { ReplicaExit, ReplicaHandle, ReplicaResources } from "../runtime.js";

/**
 * The files through which the driver and a replica's shim talk. They live in
 * `<stateDir>/replicas/<id>/`, so a new platform process finds everything again after a crash.
 */
export interface ReplicaPaths {
  dir: string;
  /** {@link ReplicaRecord}: written by the driver before the shim starts. */
  replica: string;
  /** {@link PidRecord}: written by the shim once the replica's process runs. */
  pid: string;
  /** {@link ReplicaExit}: written by the shim when the replica has ended and is cleaned up. */
  exit: string;
  /** {@link StopRecord}: written by the driver when it stops the replica. */
  stop: string;
  /** The shim's own stderr, for the rare error of the shim itself. */
  shimLog: string;
}

/** What the driver knows about a replica, minus its environment (secrets never touch disk). */
export interface ReplicaRecord {
  id: string;
  service: string;
  environment: string;
  release: string;
  command: string;
  cwd: string;
  logDir: string;
  port: number;
  resources: ReplicaResources;
  limits: ReplicaHandle["limits"];
  cgroups: ReplicaCgroups;
  /** Its private HOME, when it runs as a user of its own. */
  home?: string;
}

/** The processes of one run of a replica. */
export interface PidRecord {
  shimPid: number;
  shimStartTime: string;
  pid: number;
  processStartTime: string;
  startedAt: string;
}

/** A stop in progress: processes left after the main one ends get until `deadline` (epoch ms). */
export interface StopRecord {
  deadline: number;
}

/** The state files of replica `id` under the runtime's state directory. */
export function replicaPaths(stateDir: string, id: string): ReplicaPaths {
  return replicaPathsIn(join(stateDir, "replicas", id));
}

/** The state files inside one replica's state directory (what the shim is given). */
export function replicaPathsIn(dir: string): ReplicaPaths {
  return {
    dir,
    replica: join(dir, "replica.json"),
    pid: join(dir, "pid.json"),
    exit: join(dir, "exit.json"),
    stop: join(dir, "stop.json"),
    shimLog: join(dir, "shim.log"),
  };
}

/** Reads a JSON state file; undefined when it is missing or torn. */
export function readStateFile<T extends object>(file: string): T | undefined {
  try {
    const value: unknown = JSON.parse(readFileSync(file, "utf8"));
    // Our own files, written atomically: an object is the shape we wrote.
    return typeof value === "object" && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a JSON state file atomically, so a reader or a crash never sees half of it. */
export function writeStateFile(file: string, value: object): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(value, null, 2), { mode: 0o600 });
  renameSync(temporary, file);
}

/** Clears the files of a previous run, keeping the directory, before the replica starts again. */
export function resetReplicaState(paths: ReplicaPaths): void {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  for (const file of [paths.pid, paths.exit, paths.stop, paths.shimLog]) {
    rmSync(file, { force: true });
  }
}
