import { createHash } from "node:crypto";
import { existsSync, readdirSync, rmdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type CgroupSupport, detectCgroupSupport } from "../cgroups/cgroup-support.js";
import {
  type CgroupLimits,
  cgroupPids,
  cgroupProcsFiles,
  createReplicaCgroups,
  listReplicaCgroupNames,
  type ReplicaCgroups,
  removeCgroupDir,
  removeReplicaCgroups,
} from "../cgroups/replica-cgroup.js";
import { DEFAULT_LOG_ROTATION, type LogRecord, type LogRotation } from "../logs/log-files.js";
import { followLogRecords, readLogRecords } from "../logs/log-reader.js";
import { isSameProcess } from "../proc/proc-stat.js";
import { signalProcessTree, terminateProcessTree } from "../proc/signal-tree.js";
import type {
  AdoptRequest,
  ExitListener,
  FollowLogsOptions,
  LimitEnforcement,
  LogLine,
  ReadLogsOptions,
  ReplicaExit,
  ReplicaHandle,
  ReplicaInspection,
  ReplicaSpec,
  ReplicaStats,
  RunAs,
  Runtime,
  RuntimeFactory,
} from "../runtime.js";
import { RuntimeError } from "../runtime-error.js";
import { describeExit } from "./exit-record.js";
import { findFreePort } from "./free-port.js";
import { isMainAlive, isShimAlive, sampleReplicaStats, waitUntilGone } from "./replica-processes.js";
import {
  type PidRecord,
  type ReplicaPaths,
  type ReplicaRecord,
  readStateFile,
  replicaPaths,
  resetReplicaState,
  writeStateFile,
} from "./replica-state.js";
import { checkRunAs, findSetpriv, prepareReplicaHome, removeReplicaHome } from "./run-as.js";
import type { ShimConfig, ShimMemoryEnforcement } from "./shim-config.js";
import { spawnShim } from "./spawn-shim.js";
import { validateSpec } from "./validate-spec.js";

/** Options of {@link createProcessRuntime}; every timing is injectable so tests run fast. */
export interface ProcessRuntimeOptions {
  /** Where replica state lives (`<stateDir>/replicas/<id>/`); keep it across platform restarts. */
  stateDir: string;
  /** "off" uses no cgroup at all: memory limits fall back to the RSS watchdog, CPU limits are unenforced. */
  cgroups?: "auto" | "off";
  logRotation?: LogRotation;
  /** Memory sampling period of each shim; default 100 ms. */
  watchdogIntervalMs?: number;
  /** How often the driver looks for exits to report through onExit; default 200 ms. */
  exitPollIntervalMs?: number;
  /** Time the other processes of a replica get after its main process ended by itself; default 2 s. */
  leftoverGraceMs?: number;
  /** How long start() waits for the shim to report the replica's pid; default 10 s. */
  startTimeoutMs?: number;
  /** The Node binary that runs shims; default the platform's own. */
  nodePath?: string;
  /** The environment every replica starts from; default PATH, HOME, LANG, LC_ALL, TZ, TMPDIR of the platform. */
  baseEnv?: Record<string, string>;
}

const BASE_ENV_NAMES = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"];
const STOP_KILL_WAIT_MS = 5000;

/**
 * The process driver: each replica is a process group started by its own detached shim, in
 * per-replica cgroups where the machine allows, with its output in rotating log files. It
 * keeps no state in memory that matters: everything is in the state directory, so a new
 * instance after a platform crash adopts the replicas that still run.
 *
 * @example
 * const runtime = createProcessRuntime({ stateDir: join(dataDir, "runtime") });
 * const handle = await runtime.start({ id: "api-1", command: "node server.js", cwd, env: {}, resources: {}, logDir, ... });
 */
export class ProcessRuntime implements Runtime {
  readonly name = "process";
  readonly #options: Required<Omit<ProcessRuntimeOptions, "baseEnv">> & { baseEnv: Record<string, string> };
  readonly #instance: string;
  #support: CgroupSupport | undefined;
  readonly #watched = new Set<string>();
  readonly #delivered = new Map<string, string>();
  readonly #listeners = new Set<ExitListener>();
  readonly #timer: NodeJS.Timeout;

  constructor(options: ProcessRuntimeOptions) {
    this.#options = {
      cgroups: "auto",
      logRotation: DEFAULT_LOG_ROTATION,
      watchdogIntervalMs: 100,
      exitPollIntervalMs: 200,
      leftoverGraceMs: 2000,
      startTimeoutMs: 10_000,
      nodePath: process.execPath,
      ...options,
      stateDir: resolve(options.stateDir),
      baseEnv: options.baseEnv ?? pickBaseEnv(),
    };
    // Two platforms with different state dirs on one machine never touch each other's cgroups.
    this.#instance = createHash("sha256").update(this.#options.stateDir).digest("hex").slice(0, 12);
    this.#timer = setInterval(() => this.#pollExits(), this.#options.exitPollIntervalMs);
    this.#timer.unref();
  }

  /** What this machine offers for limits (detected on first use), with notes on what is missing. */
  cgroupSupport(): CgroupSupport {
    this.#support ??=
      this.#options.cgroups === "off"
        ? { notes: ["cgroups turned off"] }
        : detectCgroupSupport(this.#instance);
    return this.#support;
  }

  /**
   * Cgroups for work that is not a replica (a build), capped as a replica's processes are: its
   * command joins them through {@link joinThenExecArgs} before it runs, and `remove` kills
   * whatever is still inside (background processes a build left) and removes them. `name` must
   * not be a replica id; a start's orphan clean-up removes what a crash left of them.
   */
  createWorkCgroups(name: string, limits: CgroupLimits = {}): WorkCgroups {
    let cgroups: ReplicaCgroups = {};
    try {
      cgroups = createReplicaCgroups(this.cgroupSupport(), name, limits);
    } catch (error) {
      this.cgroupSupport().notes.push(`"${name}": cgroup not created (${String(error)})`);
    }
    // Once: a second removal still retrying later would take the cgroup of the next work that
    // reuses the name.
    let removing: Promise<void> | undefined;
    return {
      procsFiles: cgroupProcsFiles(cgroups),
      pids: () => cgroupPids(cgroups),
      remove: () => {
        removing ??= removeReplicaCgroups(cgroups).then(() => undefined);
        return removing;
      },
    };
  }

  async start(spec: ReplicaSpec): Promise<ReplicaHandle> {
    validateSpec(spec);
    const paths = this.#paths(spec.id);
    const previous = readStateFile<PidRecord>(paths.pid);
    if (!existsSync(paths.exit) && (isMainAlive(previous) || isShimAlive(previous))) {
      throw new RuntimeError("already-running", `replica "${spec.id}" is still running; stop it first`);
    }
    this.#deliverRecordedExit(spec.id);
    resetReplicaState(paths);
    const user = spec.runAs === undefined ? undefined : this.#user(spec.runAs, paths.dir);
    const port = spec.port ?? (await findFreePort());
    const { cgroups, limits, memoryEnforcement } = this.#prepareLimits(spec);
    const record: ReplicaRecord = {
      id: spec.id,
      service: spec.service,
      environment: spec.environment,
      release: spec.release,
      command: spec.command,
      cwd: spec.cwd,
      logDir: spec.logDir,
      port,
      resources: spec.resources,
      limits,
      cgroups,
      ...(user === undefined ? {} : { home: user.home }),
    };
    writeStateFile(paths.replica, record);
    let run: PidRecord;
    try {
      run = await spawnShim({
        nodePath: this.#options.nodePath,
        paths,
        timeoutMs: this.#options.startTimeoutMs,
        config: {
          replicaId: spec.id,
          command: spec.command,
          cwd: spec.cwd,
          env: {
            ...this.#options.baseEnv,
            ...(user === undefined ? {} : { HOME: user.home, TMPDIR: user.home }),
            ...spec.env,
            PORT: String(port),
          },
          logDir: spec.logDir,
          logRotation: this.#options.logRotation,
          cgroups,
          ...(spec.resources.memoryBytes === undefined
            ? {}
            : { memoryLimitBytes: spec.resources.memoryBytes }),
          memoryEnforcement,
          watchdogIntervalMs: this.#options.watchdogIntervalMs,
          leftoverGraceMs: this.#options.leftoverGraceMs,
          ...(user === undefined ? {} : { runAs: user.runAs }),
        },
      });
    } catch (error) {
      await removeReplicaCgroups(cgroups);
      throw error;
    }
    this.#watched.add(spec.id);
    return toHandle(record, run);
  }

  async stop(id: string, options: { graceMs: number }): Promise<ReplicaExit> {
    const paths = this.#paths(id);
    const record = this.#record(id);
    const recorded = readStateFile<ReplicaExit>(paths.exit);
    if (recorded !== undefined) {
      // Ended already (a crash, a lost shim): stopping it now is its removal all the same.
      if (record.home !== undefined) {
        removeReplicaHome(record.home);
      }
      this.#deliver(id, recorded);
      return recorded;
    }
    const run = readStateFile<PidRecord>(paths.pid);
    if (run === undefined) {
      // Its start failed before a process ran: there is nothing to stop, only a record to close.
      const never = describeExit({
        code: null,
        signal: null,
        at: new Date().toISOString(),
        message: "never started",
      });
      writeStateFile(paths.exit, never);
      return never;
    }
    writeStateFile(paths.stop, { deadline: Date.now() + options.graceMs });
    if (isMainAlive(run) || isShimAlive(run)) {
      terminateProcessTree(run.pid, cgroupPids(record.cgroups));
    }
    let exit = await this.#waitForExit(paths, run, options.graceMs);
    if (exit === undefined) {
      this.#kill(run, record.cgroups);
      exit = await this.#waitForExit(paths, run, STOP_KILL_WAIT_MS);
    }
    // Without its shim nobody waited for the rest of its processes: make sure they are gone.
    if (exit === undefined || !(await waitUntilGone(run, record.cgroups, STOP_KILL_WAIT_MS))) {
      throw new RuntimeError("stop-failed", `replica "${id}" still runs after SIGKILL; check pid ${run.pid}`);
    }
    // Normally the shim removed them already; after a lost shim this is the only clean-up.
    await removeReplicaCgroups(record.cgroups);
    if (record.home !== undefined) {
      removeReplicaHome(record.home);
    }
    this.#deliver(id, exit);
    return exit;
  }

  async inspect(id: string): Promise<ReplicaInspection | undefined> {
    const paths = this.#paths(id);
    const record = readStateFile<ReplicaRecord>(paths.replica);
    if (record === undefined) {
      return undefined;
    }
    const run = readStateFile<PidRecord>(paths.pid);
    const handle = run === undefined ? {} : { handle: toHandle(record, run) };
    const exit = readStateFile<ReplicaExit>(paths.exit) ?? this.#lostExit(paths, run);
    if (exit !== undefined) {
      return { running: false, exit, ...handle };
    }
    return { running: isMainAlive(run), ...handle };
  }

  async adopt(request: AdoptRequest): Promise<"adopted" | "gone"> {
    const paths = this.#paths(request.id);
    const run = readStateFile<PidRecord>(paths.pid);
    const sameRun =
      run !== undefined && run.pid === request.pid && run.processStartTime === request.processStartTime;
    if (!sameRun || !isSameProcess(request.pid, request.processStartTime) || existsSync(paths.exit)) {
      return "gone";
    }
    if (readStateFile<ReplicaRecord>(paths.replica) === undefined) {
      return "gone";
    }
    if (!isShimAlive(run)) {
      // Running, but unsupervised since its shim was killed: end it, to be replaced.
      this.#lostExit(paths, run);
      return "gone";
    }
    this.#watched.add(request.id);
    return "adopted";
  }

  async stats(id: string): Promise<ReplicaStats | undefined> {
    const record = readStateFile<ReplicaRecord>(this.#paths(id).replica);
    const run = readStateFile<PidRecord>(this.#paths(id).pid);
    if (record === undefined || run === undefined || !isMainAlive(run)) {
      return undefined;
    }
    return sampleReplicaStats(run, record.cgroups);
  }

  async *readLogs(id: string, options: ReadLogsOptions = {}): AsyncIterable<LogLine> {
    const record = this.#record(id);
    for await (const entry of readLogRecords(record.logDir, options)) {
      yield toLogLine(record, entry);
    }
  }

  async *followLogs(id: string, options: FollowLogsOptions = {}): AsyncIterable<LogLine> {
    const record = this.#record(id);
    const paths = this.#paths(id);
    const isFinished = (): boolean => {
      const run = readStateFile<PidRecord>(paths.pid);
      return existsSync(paths.exit) || (run !== undefined && !isMainAlive(run) && !isShimAlive(run));
    };
    for await (const entry of followLogRecords(record.logDir, { ...options, isFinished })) {
      yield toLogLine(record, entry);
    }
  }

  onExit(listener: ExitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async cleanupOrphans(knownIds: ReadonlySet<string>): Promise<string[]> {
    const cleaned = new Set<string>();
    for (const id of this.#stateIds()) {
      if (!knownIds.has(id)) {
        await this.#removeOrphan(id);
        cleaned.add(id);
      }
    }
    const support = this.cgroupSupport();
    for (const parent of cgroupParentDirs(support)) {
      for (const name of listReplicaCgroupNames(parent)) {
        if (!knownIds.has(name)) {
          await removeCgroupDir(join(parent, name), Date.now() + 2000);
          cleaned.add(name);
        }
      }
    }
    return [...cleaned].sort();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
  }

  /**
   * Removes this instance's cgroup parent directories if no replica cgroup is left in them
   * (the kernel refuses to remove a cgroup with children). For `slipway down` and tests.
   */
  removeEmptyCgroupParents(): void {
    const support = this.cgroupSupport();
    for (const dir of cgroupParentDirs(support)) {
      try {
        rmdirSync(dir);
      } catch {
        // Still holds replica cgroups, or already gone.
      }
    }
    this.#support = undefined;
  }

  /** The user a replica drops to, and its private home; refused unless the platform can drop root. */
  #user(runAs: RunAs, replicaDir: string): { runAs: ShimConfig["runAs"] & object; home: string } {
    const setpriv = checkRunAs(runAs, findSetpriv());
    return { runAs: { ...runAs, setpriv }, home: prepareReplicaHome(replicaDir, runAs) };
  }

  #paths(id: string): ReplicaPaths {
    if (id.includes("/") || id.startsWith(".")) {
      throw new RuntimeError("unknown-replica", `replica "${id}" is not a valid replica id`);
    }
    return replicaPaths(this.#options.stateDir, id);
  }

  #record(id: string): ReplicaRecord {
    const record = readStateFile<ReplicaRecord>(this.#paths(id).replica);
    if (record === undefined) {
      throw new RuntimeError("unknown-replica", `replica "${id}" is not known to the process runtime`);
    }
    return record;
  }

  #stateIds(): string[] {
    try {
      return readdirSync(join(this.#options.stateDir, "replicas"));
    } catch {
      return [];
    }
  }

  /** Creates the replica's cgroups; where that fails the watchdog still bounds memory. */
  #prepareLimits(spec: ReplicaSpec): {
    cgroups: ReplicaCgroups;
    limits: ReplicaHandle["limits"];
    memoryEnforcement: ShimMemoryEnforcement;
  } {
    let cgroups: ReplicaCgroups = {};
    try {
      cgroups = createReplicaCgroups(this.cgroupSupport(), spec.id, spec.resources);
    } catch (error) {
      this.cgroupSupport().notes.push(`replica "${spec.id}": cgroup not created (${String(error)})`);
    }
    const memoryEnforcement: ShimMemoryEnforcement =
      spec.resources.memoryBytes === undefined ? "unlimited" : (cgroups.memory?.version ?? "rss-watchdog");
    const cpu: LimitEnforcement =
      spec.resources.cpuCores === undefined ? "unlimited" : (cgroups.cpu?.version ?? "unenforced");
    return { cgroups, limits: { memory: memoryEnforcement, cpu }, memoryEnforcement };
  }

  /** SIGKILLs the replica's processes, but only while they are provably still this replica's. */
  #kill(run: PidRecord, cgroups: ReplicaCgroups): void {
    if (isMainAlive(run) || isShimAlive(run)) {
      signalProcessTree(run.pid, "SIGKILL", cgroupPids(cgroups));
    }
  }

  async #waitForExit(
    paths: ReplicaPaths,
    run: PidRecord | undefined,
    timeoutMs: number,
  ): Promise<ReplicaExit | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const exit = readStateFile<ReplicaExit>(paths.exit) ?? this.#lostExit(paths, run);
      if (exit !== undefined || Date.now() >= deadline) {
        return exit;
      }
      await sleep(20);
    }
  }

  /**
   * When the shim is gone without an exit record (it was killed), records an exit that says so,
   * so every later look gives the same answer. A replica that outlived its shim is ended first:
   * nothing reads its output or enforces its memory limit any more, and nothing would record its
   * exit; as containerd ends a container whose shim died, it is stopped, to start again supervised.
   */
  #lostExit(paths: ReplicaPaths, run: PidRecord | undefined): ReplicaExit | undefined {
    if (run === undefined || isShimAlive(run)) {
      return undefined;
    }
    const recorded = readStateFile<ReplicaExit>(paths.exit);
    if (recorded !== undefined) {
      return recorded;
    }
    const exit = describeExit({
      code: null,
      signal: null,
      at: new Date().toISOString(),
      message: isMainAlive(run)
        ? "its supervisor (shim) was killed, so the replica was stopped: nothing read its output or watched its memory"
        : "the replica and its supervisor (shim) ended without recording an exit",
    });
    // Nobody is left to end the rest of its processes: its group, tree and cgroup members.
    const cgroups = readStateFile<ReplicaRecord>(paths.replica)?.cgroups ?? {};
    signalProcessTree(run.pid, "SIGKILL", cgroupPids(cgroups));
    try {
      writeStateFile(paths.exit, exit);
    } catch {
      // A full disk: the exit is still reported now, and found lost again by a later look.
    }
    void removeReplicaCgroups(cgroups);
    return exit;
  }

  #pollExits(): void {
    for (const id of this.#watched) {
      const paths = this.#paths(id);
      const exit = readStateFile<ReplicaExit>(paths.exit) ?? this.#lostExit(paths, readStateFile(paths.pid));
      if (exit !== undefined) {
        this.#deliver(id, exit);
      }
    }
  }

  /** A restart reuses the id: a recorded exit of the previous run is reported before it is cleared. */
  #deliverRecordedExit(id: string): void {
    const exit = readStateFile<ReplicaExit>(this.#paths(id).exit);
    if (exit !== undefined && this.#watched.has(id)) {
      this.#deliver(id, exit);
    }
  }

  /** Reports each exit once, however many paths (poll, stop, start) notice it. */
  #deliver(id: string, exit: ReplicaExit): void {
    this.#watched.delete(id);
    if (this.#delivered.get(id) === exit.at) {
      return;
    }
    this.#delivered.set(id, exit.at);
    for (const listener of this.#listeners) {
      listener(id, exit);
    }
  }

  /** Kills an unknown replica (shim first, so it does not race us) and removes all it left. */
  async #removeOrphan(id: string): Promise<void> {
    const paths = this.#paths(id);
    const run = readStateFile<PidRecord>(paths.pid);
    const record = readStateFile<ReplicaRecord>(paths.replica);
    const cgroups = record?.cgroups ?? {};
    if (run !== undefined && isShimAlive(run)) {
      process.kill(run.shimPid, "SIGKILL");
    }
    if (run !== undefined && isMainAlive(run)) {
      signalProcessTree(run.pid, "SIGKILL", cgroupPids(cgroups));
    }
    await removeReplicaCgroups(cgroups);
    this.#watched.delete(id);
    // A home that could not be emptied is left, with the directory it is in: root never walks it.
    if (record?.home === undefined || removeReplicaHome(record.home)) {
      rmSync(paths.dir, { recursive: true, force: true });
    }
  }
}

/** The cgroups of one piece of work, from {@link ProcessRuntime.createWorkCgroups}. */
export interface WorkCgroups {
  /** The files its command writes its pid into (none where no cgroup could be made). */
  procsFiles: string[];
  /** The processes inside right now. */
  pids(): number[];
  /** Kills what is still inside and removes the cgroups (once: later calls wait for the first). */
  remove(): Promise<void>;
}

/** The parent directories replica cgroups are made in, each once (v2 has one for all). */
function cgroupParentDirs(support: CgroupSupport): string[] {
  return [...new Set([support.memory?.dir, support.cpu?.dir, support.pids?.dir])].filter(
    (dir) => dir !== undefined,
  );
}

/** Creates the process driver; see {@link ProcessRuntime}. */
export const createProcessRuntime = ((options: ProcessRuntimeOptions) =>
  new ProcessRuntime(options)) satisfies RuntimeFactory<ProcessRuntimeOptions>;

function toHandle(record: ReplicaRecord, run: PidRecord): ReplicaHandle {
  const procsFiles = cgroupProcsFiles(record.cgroups);
  return {
    id: record.id,
    pid: run.pid,
    processStartTime: run.processStartTime,
    port: record.port,
    startedAt: run.startedAt,
    limits: record.limits,
    ...(record.home === undefined ? {} : { home: record.home }),
    ...(procsFiles.length === 0 ? {} : { cgroupProcs: procsFiles }),
  };
}

function toLogLine(record: ReplicaRecord, entry: LogRecord): LogLine {
  return {
    at: entry.at,
    stream: entry.stream,
    replica: record.id,
    release: record.release,
    line: entry.line,
    ...(entry.truncated ? { truncated: true } : {}),
    ...(entry.continued ? { continued: true } : {}),
  };
}

function pickBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BASE_ENV_NAMES) {
    const value = process.env[name];
    if (value !== undefined) {
      env[name] = value;
    }
  }
  return env;
}
