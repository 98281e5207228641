import type {
  BackoffPolicy,
  LastTermination,
  ReplicaHandle,
  ReplicaSpec,
  Runtime,
  SupervisorEvent,
} from "../runtime/index.js";
import { ReplicaSupervisor } from "../runtime/index.js";
import type { ServiceSpec } from "../spec/index.js";
import { type SecretMask, secretMasker } from "../store/index.js";
import type { DeployRecords } from "./records.js";
import type { ReplicaPlan } from "./replica-plan.js";

/** A timeline event the controller publishes (the platform writes it to the event log). */
export interface TimelineEvent {
  kind: string;
  message: string;
  service: string;
  environment: string;
  data?: Record<string, unknown>;
}

export type Publish = (event: TimelineEvent) => Promise<unknown>;

/** What a replica row keeps so the replica can be adopted after a platform restart. */
export interface StoredReplica {
  spec: ReplicaSpec;
  handle?: ReplicaHandle;
  plan: Omit<ReplicaPlan, "spec">;
}

export interface LiveReplicaContext {
  runtime: Runtime;
  records: DeployRecords;
  publish: Publish;
  backoff?: BackoffPolicy;
  stopGraceMs: number;
  /** Called when readiness changes or the replica ends, so the router table is rebuilt. */
  onRoutingChange(): void;
  onError(error: unknown, what: string): void;
  /** Seals the stored replica (its env holds decrypted secrets) for the store. */
  seal(stored: StoredReplica): string;
}

/** A replica's plan plus the effective spec it came from (routes, deploy settings). */
export type LivePlan = ReplicaPlan & { effective: ServiceSpec };

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)}Mi`;

/**
 * One replica the platform answers for: its supervisor, where it belongs, and whether the
 * router may send it traffic. Every supervisor event becomes a store update and a timeline event.
 */
export class LiveReplica {
  readonly supervisor: ReplicaSupervisor;
  /** In rotation (the rollout decides); traffic flows only while also ready. */
  routed = false;
  /** Exits since this replica was created: a rollout fails fast on a replica that keeps crashing. */
  exits = 0;
  lastExit: LastTermination | undefined;
  lastLog: string[] = [];
  #writes: Promise<void> = Promise.resolve();
  /** What the replica prints of its own secrets never reaches events, status or the store. */
  readonly mask: SecretMask;

  constructor(
    readonly id: string,
    readonly service: string,
    readonly environment: string,
    readonly environmentId: string,
    readonly releaseId: string,
    readonly releaseVersion: number,
    readonly plan: LivePlan,
    private readonly ctx: LiveReplicaContext,
    restarts = 0,
  ) {
    this.supervisor = new ReplicaSupervisor({
      runtime: ctx.runtime,
      spec: plan.spec,
      ...(plan.readiness ? { readiness: plan.readiness } : {}),
      ...(plan.liveness ? { liveness: plan.liveness } : {}),
      ...(plan.startup ? { startup: plan.startup } : {}),
      ...(ctx.backoff ? { backoff: ctx.backoff } : {}),
      stopGraceMs: ctx.stopGraceMs,
      restarts,
    });
    this.mask = secretMasker(plan.effective.secrets.flatMap((name) => plan.spec.env[name] ?? []));
    this.supervisor.onEvent((event) => this.#handle(event));
  }

  get ready(): boolean {
    return this.supervisor.status().ready;
  }

  get port(): number | undefined {
    return this.supervisor.status().handle?.port;
  }

  /** Store writes happen in event order, one at a time. */
  #write(changes: Parameters<DeployRecords["updateReplica"]>[1]): void {
    this.#enqueue(() => this.ctx.records.updateReplica(this.id, changes), `updating replica ${this.id}`);
  }

  /**
   * State writes and events go through one queue, so they land in the order they happened: a
   * stored CrashLoopBackOff already has the exit's event on the timeline. (`status` shows the
   * supervisor's live phase, which can be a moment ahead of both.)
   */
  #enqueue(work: () => Promise<unknown>, what: string): void {
    this.#writes = this.#writes
      .then(work)
      .then(() => undefined)
      .catch((error: unknown) => this.ctx.onError(error, what));
  }

  /** Resolves once every store write queued so far is done. */
  flushed(): Promise<void> {
    return this.#writes;
  }

  /** Every message is masked here: a probe's message quotes its command's output, which may print a secret. */
  #publish(kind: string, message: string, data: Record<string, unknown> = {}): void {
    const event = {
      kind,
      message: this.mask(message),
      service: this.service,
      environment: this.environment,
      data: { replica: this.id, release: this.releaseVersion, ...data },
    };
    this.#enqueue(() => this.ctx.publish(event), `publishing ${kind}`);
  }

  #handle(event: SupervisorEvent): void {
    const name = `${this.service}/${this.environment} replica ${this.id} (v${this.releaseVersion})`;
    switch (event.type) {
      case "started": {
        const stored: StoredReplica = { spec: this.plan.spec, handle: event.handle, plan: this.#probes() };
        this.#write({
          state: "Running",
          pid: event.handle.pid,
          process_start_time: event.handle.processStartTime,
          port: event.handle.port,
          started_at: event.handle.startedAt,
          restarts: event.restarts,
          spec_json: this.ctx.seal(stored),
        });
        const limits = event.handle.limits;
        this.#publish(
          event.restarts > 0 ? "replica.restarted" : "replica.started",
          `${name} started on port ${event.handle.port} (pid ${event.handle.pid})${event.restarts > 0 ? `, restart ${event.restarts}` : ""}`,
          { pid: event.handle.pid, port: event.handle.port, restarts: event.restarts, limits },
        );
        if (limits.cpu === "unenforced" || limits.memory === "unenforced") {
          this.#publish(
            "replica.limits_unenforced",
            `${name}: this machine cannot enforce its resource limits`,
            { limits },
          );
        }
        break;
      }
      case "start-failed":
        this.exits += 1;
        this.lastLog = [event.message];
        this.#publish("replica.start_failed", `${name} could not start: ${event.message}`);
        break;
      case "ready":
        this.#write({ state: "Ready" });
        this.#publish("replica.ready", `${name} is ready: ${event.message}`);
        this.ctx.onRoutingChange();
        break;
      case "unready":
        this.#write({ state: "Running" });
        this.#publish("replica.unready", `${name} is not ready: ${event.message}`);
        this.ctx.onRoutingChange();
        break;
      case "liveness-failed":
        this.#publish(
          "replica.liveness_failed",
          event.probe === "startup"
            ? `${name} did not start: ${event.message}`
            : `${name} failed its liveness probe: ${event.message}`,
        );
        break;
      case "exited": {
        this.exits += 1;
        this.lastExit = event.exit;
        this.lastLog = event.lastLogLines.map((l) => this.mask(l.line, l));
        this.#write({
          exit_code: event.exit.code,
          reason: event.exit.reason,
          last_log: JSON.stringify(this.lastLog),
        });
        if (event.exit.reason === "OOMKilled" && event.exit.oom) {
          const { limitBytes, peakBytes, enforcedBy } = event.exit.oom;
          this.#publish(
            "replica.oom_killed",
            `${name} was OOMKilled: it used ${mib(peakBytes)} of its ${mib(limitBytes)} memory limit (raise resources.memory)`,
            { exitCode: event.exit.code, limitBytes, peakBytes, enforcedBy, lastLog: this.lastLog },
          );
        } else {
          this.#publish(
            "replica.exited",
            `${name} exited with code ${event.exit.code ?? "?"} (${event.exit.reason})`,
            {
              exitCode: event.exit.code,
              reason: event.exit.reason,
              lastLog: this.lastLog,
            },
          );
        }
        this.ctx.onRoutingChange();
        break;
      }
      case "restart-scheduled":
        this.#write({ state: "CrashLoopBackOff" });
        this.#publish(
          "replica.crash_loop",
          `${name} is in CrashLoopBackOff: restarting in ${Math.round(event.plan.delayMs / 1000)} s`,
          { backoffMs: event.plan.delayMs, restartAt: new Date(event.plan.restartAt).toISOString() },
        );
        break;
      case "stopped":
        this.#write({
          state: "Exited",
          ...(event.exit ? { exit_code: event.exit.code, reason: event.exit.reason } : {}),
        });
        this.#publish(
          "replica.stopped",
          event.exit?.signal === "SIGKILL"
            ? `${name} stopped: it was still running ${Math.round(this.ctx.stopGraceMs / 1000)} s after SIGTERM (deploy.stopGracePeriod), so it was killed`
            : `${name} stopped`,
        );
        this.ctx.onRoutingChange();
        break;
    }
  }

  #probes(): Omit<ReplicaPlan, "spec"> {
    const { spec: _spec, effective: _effective, ...probes } = this.plan;
    return probes;
  }
}
