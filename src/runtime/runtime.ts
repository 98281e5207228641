/**
 * The workload runtime: one small interface that every driver (process now; docker and
 * kubernetes later) implements, and that the deploy controller programs against. All
 * drivers pass the same contract suite (runtime-contract.case.ts).
 */

/** What to run: one replica of one release of a service in one environment. */
export interface ReplicaSpec {
  /** Unique per replica; a path segment: letters, digits, `_`, `.` and `-`. */
  id: string;
  service: string;
  environment: string;
  release: string;
  /**
   * The spec's start command, run by `/bin/sh -c` exactly as the user wrote it. It is the
   * user's own command for their own service, never assembled from other input.
   */
  command: string;
  /** The release's build output, kept per release so a rollback needs no rebuild. */
  cwd: string;
  /**
   * The replica's whole environment on top of a minimal base (PATH, HOME, LANG, TZ, TMPDIR):
   * the spec's env plus decrypted secrets. The platform's own environment is NOT inherited,
   * so its secrets never reach a replica. The driver adds PORT.
   */
  env: Record<string, string>;
  /** A fixed port; by default the driver picks a free one on 127.0.0.1. */
  port?: number;
  resources: ReplicaResources;
  /** Where this replica's log files go; one directory per replica (restarts append to it). */
  logDir: string;
  /**
   * Runs the command (and its command probes) as this user rather than the platform's, which
   * must then be root, with a private writable HOME and TMPDIR: a developer's code must not read
   * the platform's data directory, nor another environment's replicas (whose /proc/PID/environ
   * holds their secrets).
   */
  runAs?: RunAs;
}

/** A numeric user and group to run as; they need no entry in /etc/passwd. */
export interface RunAs {
  uid: number;
  gid: number;
}

/** Resource limits of a replica. */
export interface ReplicaResources {
  memoryBytes?: number;
  cpuCores?: number;
  /** Processes and threads at once, where a pids cgroup exists (default 4,096). */
  maxProcesses?: number;
}

/** How a limit is enforced for a replica, so the platform can tell the user. */
export type LimitEnforcement =
  | "cgroup-v2"
  | "cgroup-v1"
  | "rss-watchdog"
  /** Asked for, but nothing on this machine can enforce it. */
  | "unenforced"
  /** Not asked for. */
  | "unlimited";

/** A started replica: what the controller stores to find it again after a platform restart. */
export interface ReplicaHandle {
  id: string;
  /** The main process (a process group leader for the process driver). */
  pid: number;
  /** Opaque identity of the process start; with pid it never matches a reused pid. */
  processStartTime: string;
  /** Where the replica listens, on 127.0.0.1. */
  port: number;
  /** When the driver started it (ISO-8601). */
  startedAt: string;
  limits: { memory: LimitEnforcement; cpu: LimitEnforcement };
  /** The replica's private HOME, when it runs as a user of its own (for its command probes). */
  home?: string;
  /**
   * The `cgroup.procs` files of the replica's cgroups: its command probes join them, as a
   * Kubernetes exec probe runs inside its container, so they count against its limits.
   */
  cgroupProcs?: string[];
}

/** Why a replica ended; LivenessFailed is added by the supervisor, which knows why it stopped one. */
export type ExitReason = "Completed" | "Error" | "OOMKilled";

/** How a replica ended. */
export interface ReplicaExit {
  /** The exit status; 128 + signal number when killed by a signal (137 for SIGKILL); null if unknown. */
  code: number | null;
  signal: string | null;
  reason: ExitReason;
  /** Set when the replica went over its memory limit, whichever mechanism caught it. */
  oom?: { limitBytes: number; peakBytes: number; enforcedBy: "cgroup-v2" | "cgroup-v1" | "rss-watchdog" };
  /** A human note when the runtime had to guess (e.g. its supervisor process vanished). */
  message?: string;
  at: string;
}

/** A sample of what a running replica uses. */
export interface ReplicaStats {
  /** User plus system CPU time of all its processes (including reaped children). */
  cpuSeconds: number;
  /** Resident memory of all its processes. */
  rssBytes: number;
  uptimeSeconds: number;
}

/** One captured line of a replica's stdout or stderr. */
export interface LogLine {
  at: string;
  stream: "stdout" | "stderr";
  replica: string;
  release: string;
  line: string;
  /** True when a line over 64 KiB was cut here and continues in the next line. */
  truncated?: boolean;
  /** True on the pieces of a cut line after the first. */
  continued?: boolean;
}

/** Which lines {@link Runtime.readLogs} returns. */
export interface ReadLogsOptions {
  since?: Date;
  /** Only lines containing this text (case-sensitive). */
  grep?: string;
  /** Only the last N matching lines. */
  limit?: number;
}

/** Which lines {@link Runtime.followLogs} returns, and how it ends. */
export interface FollowLogsOptions extends ReadLogsOptions {
  /** Ends the follow promptly; without it, the follow ends when the replica exits. */
  signal?: AbortSignal;
}

/** What the platform recorded about a replica before it restarted: enough to find it again. */
export interface AdoptRequest extends Pick<ReplicaHandle, "id" | "pid" | "processStartTime"> {
  spec: ReplicaSpec;
}

/** The answer of {@link Runtime.inspect}. */
export interface ReplicaInspection {
  running: boolean;
  /** Set once the replica has ended and its exit is recorded. */
  exit?: ReplicaExit;
  handle?: ReplicaHandle;
}

/** Receives every replica exit once, whatever caused it. */
export type ExitListener = (id: string, exit: ReplicaExit) => void;

/**
 * A driver that runs replicas.
 *
 * @example
 * const runtime = createProcessRuntime({ stateDir: "/var/lib/slipway/replicas" });
 * const handle = await runtime.start(spec);
 * runtime.onExit((id, exit) => console.log(id, exit.reason));
 * await runtime.stop(handle.id, { graceMs: 30_000 });
 */
export interface Runtime {
  readonly name: "process" | "docker" | "kubernetes";
  /** Starts a replica (again, after it exited); rejects with a RuntimeError if it cannot. */
  start(spec: ReplicaSpec): Promise<ReplicaHandle>;
  /** SIGTERM to all its processes, SIGKILL after `graceMs`; resolves with the recorded exit. */
  stop(id: string, options: { graceMs: number }): Promise<ReplicaExit>;
  /** Undefined for an id this runtime knows nothing about. */
  inspect(id: string): Promise<ReplicaInspection | undefined>;
  /**
   * After a platform restart: takes charge of a replica that still runs. "gone" when it is no
   * longer that process (exited, or its pid now belongs to another process).
   */
  adopt(request: AdoptRequest): Promise<"adopted" | "gone">;
  /** Undefined when the replica is not running. */
  stats(id: string): Promise<ReplicaStats | undefined>;
  /** Stored lines, oldest first. */
  readLogs(id: string, options?: ReadLogsOptions): AsyncIterable<LogLine>;
  /** Stored lines (the last `limit`), then new ones as they come. */
  followLogs(id: string, options?: FollowLogsOptions): AsyncIterable<LogLine>;
  /** Subscribes to exits of replicas this instance started or adopted; returns the unsubscribe. */
  onExit(listener: ExitListener): () => void;
  /**
   * Kills and removes what replicas unknown to the controller left behind (processes, cgroups,
   * state); returns their ids.
   */
  cleanupOrphans(knownIds: ReadonlySet<string>): Promise<string[]>;
  /** Stops watching. Replicas keep running: a platform restart must not stop services. */
  close(): Promise<void>;
}

/** The constructor shape of a driver, for a compile-time `satisfies` guard. */
export type RuntimeFactory<Options> = (options: Options) => Runtime;
