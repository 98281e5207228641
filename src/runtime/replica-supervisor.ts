import type { HealthProbe } from "./health/probe.js";
import { createProber, type ProbePurpose, type Prober, type ProbeTransition } from "./health/prober.js";
import {
  type BackoffPolicy,
  KUBERNETES_BACKOFF,
  planRestart,
  type RestartPlan,
  type RunRecord,
} from "./restart-policy.js";
import type { LogLine, ReplicaExit, ReplicaHandle, ReplicaSpec, ReplicaStats, Runtime } from "./runtime.js";

/** Where a supervised replica is in its life, in Kubernetes' words. */
export type ReplicaPhase = "Starting" | "Running" | "Ready" | "CrashLoopBackOff" | "Stopped";

/** Why a run ended: the runtime's reasons, plus the one only the supervisor knows. */
export type TerminationReason = ReplicaExit["reason"] | "LivenessFailed";

/** How the last run ended, as `slipway status` shows it. */
export interface LastTermination extends Omit<ReplicaExit, "reason"> {
  reason: TerminationReason;
}

/** A snapshot of a supervised replica. */
export interface ReplicaStatus {
  id: string;
  phase: ReplicaPhase;
  ready: boolean;
  /** Restarts so far (the first start is not one). */
  restarts: number;
  handle?: ReplicaHandle;
  lastExit?: LastTermination;
  /** The last lines the replica wrote before its last exit. */
  lastLogLines?: LogLine[];
  /** While in CrashLoopBackOff: when the next start is due, and the delay chosen. */
  nextRestartAt?: string;
  backoffMs?: number;
  /** While running but not ready: what the readiness (or startup) probe's last failed check said. */
  readinessFailure?: string;
}

/** Everything that happens to a supervised replica; the controller turns these into timeline events. */
export type SupervisorEvent =
  | { type: "started"; handle: ReplicaHandle; restarts: number }
  | { type: "start-failed"; message: string }
  | { type: "ready"; message: string }
  | { type: "unready"; message: string }
  | { type: "liveness-failed"; message: string; probe: "liveness" | "startup" }
  | { type: "exited"; exit: LastTermination; lastLogLines: LogLine[] }
  | { type: "restart-scheduled"; plan: RestartPlan }
  | { type: "stopped"; exit?: ReplicaExit };

type BeginProbe = (probe: HealthProbe | undefined, purpose: ProbePurpose) => void;

/** Options of a {@link ReplicaSupervisor}; every timing is injectable. */
export interface ReplicaSupervisorOptions {
  runtime: Runtime;
  spec: ReplicaSpec;
  readiness?: HealthProbe;
  liveness?: HealthProbe;
  /** Holds off liveness and readiness until it passes once. */
  startup?: HealthProbe;
  backoff?: BackoffPolicy;
  /** Grace period when the supervisor stops a replica (liveness failure, stop()); default 30 s. */
  stopGraceMs?: number;
  /** How many of the last log lines to keep with an exit; default 20. */
  logLinesOnExit?: number;
  /** Runs before a platform restart, so the backoff continues where it was. */
  history?: RunRecord[];
  restarts?: number;
  now?: () => number;
}

/**
 * Keeps one replica running: starts it, probes it, and restarts it with Kubernetes'
 * CrashLoopBackOff schedule whenever it exits or fails liveness, reporting every step.
 * Liveness begins once the replica is first ready (or its startup probe passed): a slow
 * starter is never killed before it could serve; one that never gets ready is the rollout's
 * business (its deadline), not liveness's.
 *
 * @example
 * const supervisor = new ReplicaSupervisor({ runtime, spec, readiness, liveness });
 * supervisor.onEvent((event) => appendEvent(db, toTimelineEvent(spec, event)));
 * await supervisor.start();
 */
export class ReplicaSupervisor {
  readonly #options: ReplicaSupervisorOptions;
  readonly #now: () => number;
  readonly #listeners = new Set<(event: SupervisorEvent) => void>();
  readonly #history: RunRecord[];
  readonly #unsubscribeExit: () => void;
  #status: ReplicaStatus;
  #probers: Prober[] = [];
  #restartTimer: NodeJS.Timeout | undefined;
  #startedAt = 0;
  #pendingReason: { reason: TerminationReason; message: string } | undefined;
  #starting: Promise<void> | undefined;
  #exitDuringStart: ReplicaExit | undefined;
  #stopping = false;

  constructor(options: ReplicaSupervisorOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#history = [...(options.history ?? [])];
    this.#status = { id: options.spec.id, phase: "Starting", ready: false, restarts: options.restarts ?? 0 };
    this.#unsubscribeExit = options.runtime.onExit((id, exit) => {
      if (id === options.spec.id) {
        this.#onExit(exit);
      }
    });
  }

  /** Starts the first run. */
  start(): Promise<void> {
    this.#starting = this.#run();
    return this.#starting;
  }

  /** Supervises a replica that already runs (adopted after a platform restart). */
  attach(handle: ReplicaHandle, options: { ready?: boolean } = {}): void {
    this.#startedAt = Date.parse(handle.startedAt) || this.#now();
    if (options.ready === true) {
      // Ready before the platform restarted: it keeps serving while its probes carry on, instead
      // of leaving rotation until a first check passes (503s from a router with nowhere to send).
      this.#status = { ...this.#status, phase: "Ready", ready: true, handle };
      this.#startProbes(handle, { ready: true });
      return;
    }
    this.#status = { ...this.#status, phase: "Running", handle };
    this.#startProbes(handle);
  }

  /** Stops supervising and stops the replica; resolves with its exit if it was running. */
  async stop(graceMs = this.#options.stopGraceMs ?? 30_000): Promise<ReplicaExit | undefined> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    this.#stopProbes();
    await this.#starting?.catch(() => undefined);
    let exit: ReplicaExit | undefined;
    const inspection = await this.#options.runtime.inspect(this.#options.spec.id);
    if (inspection?.running === true) {
      exit = await this.#options.runtime.stop(this.#options.spec.id, { graceMs });
    } else if (inspection !== undefined) {
      // Ended already (crash-looping, waiting for its restart): stopping it is still what removes
      // what it left behind, its private home among them.
      await this.#options.runtime.stop(this.#options.spec.id, { graceMs }).catch(() => undefined);
    }
    this.#unsubscribeExit();
    this.#status = { ...this.#status, phase: "Stopped", ready: false };
    this.#emit({ type: "stopped", ...(exit === undefined ? {} : { exit }) });
    return exit;
  }

  /**
   * Stops supervising but leaves the replica running: the platform is shutting down and a
   * later start adopts the replica again (like a kubelet restart).
   */
  detach(): void {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    this.#stopProbes();
    this.#unsubscribeExit();
  }

  /** A snapshot of the replica's state. */
  status(): ReplicaStatus {
    const status = { ...this.#status };
    if (!status.ready && (status.phase === "Running" || status.phase === "Starting")) {
      // Before the startup probe passed, it is what holds the replica back.
      const gate =
        this.#probers.find((prober) => prober.purpose === "readiness") ??
        this.#probers.find((prober) => prober.purpose === "startup");
      const last = gate?.lastResult;
      if (last !== undefined && !last.ok) {
        status.readinessFailure = last.message;
      }
    }
    return status;
  }

  /** CPU, memory and uptime from the runtime, with the restart count. */
  async stats(): Promise<(ReplicaStats & { restarts: number }) | undefined> {
    const stats = await this.#options.runtime.stats(this.#options.spec.id);
    return stats === undefined ? undefined : { ...stats, restarts: this.#status.restarts };
  }

  /** Subscribes to events; returns the unsubscribe. */
  onEvent(listener: (event: SupervisorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async #run(): Promise<void> {
    this.#status = { ...this.#status, phase: "Starting", ready: false };
    delete this.#status.nextRestartAt;
    delete this.#status.backoffMs;
    this.#startedAt = this.#now();
    let handle: ReplicaHandle;
    try {
      handle = await this.#options.runtime.start(this.#options.spec);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#emit({ type: "start-failed", message });
      if (!this.#stopping) {
        void this.#ended({
          code: null,
          signal: null,
          reason: "Error",
          message,
          at: new Date(this.#now()).toISOString(),
        });
      }
      return;
    }
    this.#status = { ...this.#status, phase: "Running", handle };
    this.#emit({ type: "started", handle, restarts: this.#status.restarts });
    const early = this.#exitDuringStart;
    this.#exitDuringStart = undefined;
    if (early !== undefined) {
      void this.#ended(early);
    } else if (!this.#stopping) {
      this.#startProbes(handle);
    }
  }

  #onExit(exit: ReplicaExit): void {
    if (this.#stopping) {
      return;
    }
    if (this.#status.phase === "Starting") {
      // A driver may report an instant crash before start() returned: handle it after.
      this.#exitDuringStart = exit;
      return;
    }
    void this.#ended(exit);
  }

  /** One run is over: record it, keep its last lines, and schedule the next start. */
  async #ended(exit: ReplicaExit): Promise<void> {
    this.#stopProbes();
    const now = this.#now();
    this.#history.push({ startedAt: this.#startedAt, endedAt: now });
    const pending = this.#pendingReason;
    this.#pendingReason = undefined;
    const lastExit: LastTermination = pending === undefined ? exit : { ...exit, ...pending };
    const plan = planRestart(this.#history, now, this.#options.backoff ?? KUBERNETES_BACKOFF);
    this.#status = {
      ...this.#status,
      phase: "CrashLoopBackOff",
      ready: false,
      lastExit,
      nextRestartAt: new Date(plan.restartAt).toISOString(),
      backoffMs: plan.delayMs,
    };
    this.#restartTimer = setTimeout(() => {
      this.#status.restarts++;
      this.#starting = this.#run();
    }, plan.delayMs);
    const lastLogLines = await this.#lastLogLines();
    this.#status.lastLogLines = lastLogLines;
    this.#emit({ type: "exited", exit: lastExit, lastLogLines });
    this.#emit({ type: "restart-scheduled", plan });
  }

  async #lastLogLines(): Promise<LogLine[]> {
    const lines: LogLine[] = [];
    try {
      const limit = this.#options.logLinesOnExit ?? 20;
      for await (const line of this.#options.runtime.readLogs(this.#options.spec.id, { limit })) {
        lines.push(line);
      }
    } catch {
      // No logs (the start failed before any): the exit itself still tells what happened.
    }
    return lines;
  }

  #startProbes(handle: ReplicaHandle, adopted: { ready?: boolean } = {}): void {
    const { startup, readiness, spec } = this.#options;
    const target = {
      port: handle.port,
      cwd: spec.cwd,
      env: spec.env,
      ...(spec.runAs === undefined
        ? {}
        : { runAs: { ...spec.runAs, ...(handle.home === undefined ? {} : { home: handle.home }) } }),
      ...(handle.cgroupProcs === undefined ? {} : { cgroupProcs: handle.cgroupProcs }),
    };
    const begin: BeginProbe = (probe, purpose) => {
      if (probe === undefined || this.#stopping) {
        return;
      }
      const prober = createProber(probe, target, purpose, { initiallyReady: adopted.ready === true });
      prober.onTransition((transition) => this.#onProbe(transition, begin));
      this.#probers.push(prober);
      prober.start();
    };
    if (adopted.ready === true) {
      // Its startup probe passed before the restart.
      begin(readiness, "readiness");
      this.#beginLiveness(begin);
      return;
    }
    if (startup !== undefined) {
      begin(startup, "startup");
      return;
    }
    this.#afterStartup(begin);
    if (readiness === undefined) {
      this.#beginLiveness(begin);
    }
  }

  /** Readiness probing begins, or without a readiness probe the replica is ready at once. */
  #afterStartup(begin: BeginProbe, startupMessage?: string): void {
    if (this.#options.readiness !== undefined) {
      begin(this.#options.readiness, "readiness");
    } else {
      this.#becomeReady(
        startupMessage === undefined
          ? "running, no readiness probe"
          : `${this.#options.startup?.passedSummary ?? "startup probe passed"} (${startupMessage})`,
      );
    }
  }

  /** Liveness starts once: after the startup probe, at the first readiness, or at once. */
  #beginLiveness(begin: BeginProbe): void {
    if (!this.#probers.some((prober) => prober.purpose === "liveness")) {
      begin(this.#options.liveness, "liveness");
    }
  }

  #onProbe(transition: ProbeTransition, begin: BeginProbe): void {
    const message = transition.result.message;
    switch (transition.type) {
      case "started":
        this.#afterStartup(begin, message);
        this.#beginLiveness(begin);
        return;
      case "ready":
        this.#becomeReady(message);
        this.#beginLiveness(begin);
        return;
      case "unready":
        this.#status = { ...this.#status, phase: "Running", ready: false };
        this.#emit({ type: "unready", message });
        return;
      case "liveness-failed":
        this.#failLiveness(message, "liveness");
        return;
      case "startup-failed":
        this.#failLiveness(
          `${this.#options.startup?.failureSummary ?? "startup probe failed"}: ${message}`,
          "startup",
        );
        return;
    }
  }

  #becomeReady(message: string): void {
    this.#status = { ...this.#status, phase: "Ready", ready: true };
    this.#emit({ type: "ready", message });
  }

  /** Stops the replica; its exit then arrives through onExit and is recorded as LivenessFailed. */
  #failLiveness(message: string, probe: "liveness" | "startup"): void {
    this.#stopProbes();
    this.#pendingReason = { reason: "LivenessFailed", message };
    this.#emit({ type: "liveness-failed", message, probe });
    const graceMs = this.#options.stopGraceMs ?? 30_000;
    this.#options.runtime.stop(this.#options.spec.id, { graceMs }).catch(() => {
      // Already gone: its exit arrives through onExit all the same.
    });
  }

  #stopProbes(): void {
    for (const prober of this.#probers) {
      prober.stop();
    }
    this.#probers = [];
  }

  #emit(event: SupervisorEvent): void {
    for (const listener of this.#listeners) {
      listener(event);
    }
  }
}
