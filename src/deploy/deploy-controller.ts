import { existsSync } from "node:fs";
import type { AnyRouter, Upstream } from "../router/index.js";
import type { BackoffPolicy, Runtime } from "../runtime/index.js";
import {
  CANARY_DEFAULT_MAX_ERROR_RATE,
  effectiveSpec,
  formatDuration,
  type ServiceSpec,
} from "../spec/index.js";
import type { Deployment, Environment, Release, Replica, SecretBox, Store } from "../store/index.js";
import { newId, nowIso, resolveSecrets } from "../store/index.js";
import { planCanary } from "./canary-plan.js";
import { watchCanary } from "./canary-watch.js";
import { LiveReplica, type Publish, type StoredReplica } from "./live-replica.js";
import { DeployRecords } from "./records.js";
import { desiredReplicas, planReplica } from "./replica-plan.js";
import { applyRetention, type RetentionPolicy } from "./retention.js";
import { planRollingUpdate, type RolloutStep } from "./rolling-plan.js";
import { RolloutFailed, type RolloutFailure } from "./rollout-failed.js";
import { buildRouteTable, type RoutedEnvironment } from "./route-table.js";
import { environmentUser, killUserProcesses, type WorkloadUsers } from "./workload-users.js";

export interface ControllerLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface DeployControllerOptions {
  store: Store;
  secretBox: SecretBox;
  runtime: Runtime;
  router: AnyRouter;
  home: string;
  publish: Publish;
  log: ControllerLogger;
  /** CrashLoopBackOff schedule; Kubernetes' by default (tests shorten it). */
  backoff?: BackoffPolicy;
  /** SIGTERM → SIGKILL grace when replicas stop; default 30 s like Kubernetes. */
  stopGraceMs?: number;
  /** How many old releases and ended replicas' logs stay on disk. */
  retention?: RetentionPolicy;
  /** The users replicas run as, one per environment; without, the platform's own user. */
  users?: WorkloadUsers;
}

export type DeploymentKind = "deploy" | "rollback" | "restart";

export interface DeployRequest {
  service: string;
  environment: string;
  release: Release;
  actor: string | null;
  kind: DeploymentKind;
}

/** An error a user caused (unknown environment, a rollout already running): the API answers 4xx. */
export class DeployConflict extends Error {
  constructor(
    message: string,
    readonly status: 404 | 409 | 422,
    /** Set when the conflict is another deployment still running: waiting would resolve it. */
    readonly busyEnvironmentId?: string,
  ) {
    super(message);
  }
}

/**
 * Reconciles what should run with what runs: executes rolling updates as plans computed first,
 * keeps replicas supervised, feeds the router the ready replicas, and on start adopts the
 * replicas that survived a platform restart and repairs the rest.
 */
export class DeployController {
  readonly #options: DeployControllerOptions;
  readonly #records: DeployRecords;
  readonly #replicas = new Map<string, LiveReplica>();
  /** One rollout or scale at a time per environment. */
  readonly #busy = new Map<string, Promise<unknown>>();
  /** Environments with a canary in progress: the new release's share of requests. */
  readonly #canaries = new Map<string, { release: string; weight: number }>();
  /** Rollouts asked to stop (a rollback during a canary), with the reason they fail with. */
  readonly #aborts = new Map<string, string>();
  /** Set by stopAll (`slipway down`): nothing may start replicas again. */
  #stoppingAll = false;
  #repairing: Promise<void> = Promise.resolve();
  /** Environments whose live release is scaled to 0: routed with no replica, to answer 503. */
  readonly #scaledToZero = new Map<string, Omit<RoutedEnvironment, "upstreams">>();
  /** Settles when a deployment finishes; the API's `wait` uses it. */
  readonly #running = new Map<string, Promise<void>>();
  readonly #specCache = new Map<string, ServiceSpec>();
  #closed = false;

  constructor(options: DeployControllerOptions) {
    this.#options = options;
    this.#records = new DeployRecords(options.store.db);
  }

  get records(): DeployRecords {
    return this.#records;
  }

  /** Every live replica, for metrics. */
  allReplicas(): LiveReplica[] {
    return [...this.#replicas.values()];
  }

  /** Live replicas of an environment (any release), for status. */
  replicasOf(environmentId: string): LiveReplica[] {
    return [...this.#replicas.values()].filter((r) => r.environmentId === environmentId);
  }

  /** Resolves once nothing runs in the environment: no rollout, scale or repair. */
  async whenIdle(environmentId: string): Promise<void> {
    for (let busy = this.#busy.get(environmentId); busy !== undefined; busy = this.#busy.get(environmentId)) {
      await busy.catch(() => undefined);
    }
  }

  /** Resolves when the deployment's rollout has finished (at once if it is not running here). */
  async waitFor(deploymentId: string): Promise<void> {
    await this.#running.get(deploymentId);
  }

  // ---------------------------------------------------------------- deploy, rollback, restart

  /** Records the deployment and starts its rollout in the background. */
  async deploy(request: DeployRequest): Promise<Deployment> {
    const env = await this.#requireEnvironment(request.service, request.environment);
    this.#requireDeployable(request.release);
    // A rollback is never refused for a rollout in progress: it aborts a canary that has not
    // been promoted yet, and runs right after the rollout ends (the environment's queue orders
    // them). Someone rolling back wants it done, not told to come back later.
    if (request.kind === "rollback") {
      this.#abortCanary(env.id, `${request.actor ?? "someone"} asked for a rollback`);
    }
    const running = await this.#records.deploymentInProgress(env.id);
    if (request.kind !== "rollback" && (running || this.#busy.has(env.id))) {
      throw new DeployConflict(
        `A deployment to ${request.service}/${request.environment} is already in progress${running ? ` (${running.id})` : ""}; wait for it to finish.`,
        409,
        env.id,
      );
    }
    const previous = await this.#records.liveRelease(env.id);
    const deployment = await this.#records.createDeployment({
      releaseId: request.release.id,
      environmentId: env.id,
      strategy: this.#releaseSpec(request.release).deploy.strategy,
      previousReleaseId: previous?.id ?? null,
      actor: request.actor,
      kind: request.kind,
    });
    this.#launch(deployment, env, request, previous);
    return deployment;
  }

  /**
   * Records a deploy that waits for a deployer's approval (an environment with `approval:
   * required`, asked for by someone who may not promote there); nothing runs until {@link approve}.
   */
  async requestApproval(request: DeployRequest): Promise<Deployment> {
    const env = await this.#requireEnvironment(request.service, request.environment);
    this.#requireDeployable(request.release);
    const deployment = await this.#records.createDeployment({
      releaseId: request.release.id,
      environmentId: env.id,
      strategy: this.#releaseSpec(request.release).deploy.strategy,
      previousReleaseId: null,
      actor: request.actor,
      kind: request.kind,
      status: "awaiting_approval",
    });
    await this.#options.publish({
      kind: "deployment.awaiting_approval",
      message: `${request.actor ?? "someone"} asks to deploy v${request.release.version} to ${request.service}/${request.environment}: a deployer there approves it with \`slipway approve ${deployment.id}\``,
      service: request.service,
      environment: request.environment,
      data: {
        deploymentId: deployment.id,
        releaseVersion: request.release.version,
        requestedBy: request.actor,
      },
    });
    return deployment;
  }

  /** Starts an approved deployment's rollout, after whatever runs in that environment now. */
  async approve(deploymentId: string, actor: string): Promise<Deployment> {
    const { deployment, env, release } = await this.#awaiting(deploymentId);
    this.#requireDeployable(release);
    if (!(await this.#records.moveDeployment(deployment.id, "awaiting_approval", "in_progress"))) {
      throw new DeployConflict(`Deployment ${deployment.id} was approved or rejected meanwhile.`, 409);
    }
    const request: DeployRequest = {
      service: env.service_name,
      environment: env.name,
      release,
      actor: deployment.created_by,
      kind: "deploy",
    };
    const approved = { ...deployment, status: "in_progress" };
    // Launched before anything else can fail: an in_progress deployment without its rollout would
    // block the environment. Queued behind what runs there; what is live is read at its turn.
    this.#launch(approved, env, request, undefined);
    await this.#options.publish({
      kind: "deployment.approved",
      message: `${actor} approved deploying v${release.version} to ${env.service_name}/${env.name} (asked for by ${deployment.created_by ?? "someone"})`,
      service: env.service_name,
      environment: env.name,
      data: { deploymentId: deployment.id, releaseVersion: release.version, approvedBy: actor },
    });
    return approved;
  }

  /** Refuses a deployment that waits for approval; it ends `rejected`, with the reason given. */
  async reject(deploymentId: string, actor: string, reason: string | undefined): Promise<Deployment> {
    const { deployment, env, release } = await this.#awaiting(deploymentId);
    const why = `rejected by ${actor}${reason ? `: ${reason}` : ""}`;
    if (!(await this.#records.moveDeployment(deployment.id, "awaiting_approval", "rejected", why))) {
      throw new DeployConflict(`Deployment ${deployment.id} was approved or rejected meanwhile.`, 409);
    }
    await this.#options.publish({
      kind: "deployment.rejected",
      message: `Deploying v${release.version} to ${env.service_name}/${env.name} was ${why}`,
      service: env.service_name,
      environment: env.name,
      data: {
        deploymentId: deployment.id,
        releaseVersion: release.version,
        rejectedBy: actor,
        reason: reason ?? null,
      },
    });
    return { ...deployment, status: "rejected", reason: why };
  }

  async #awaiting(deploymentId: string) {
    const deployment = await this.#records.deployment(deploymentId);
    if (!deployment) {
      throw new DeployConflict(`No deployment "${deploymentId}".`, 404);
    }
    if (deployment.status !== "awaiting_approval") {
      throw new DeployConflict(
        `Deployment ${deployment.id} does not wait for approval (it is ${deployment.status.replaceAll("_", " ")}).`,
        409,
      );
    }
    const env = await this.#records.environmentById(deployment.environment_id);
    const release = await this.#records.release(deployment.release_id);
    if (!env || !release) {
      throw new DeployConflict(`Deployment ${deployment.id} belongs to a service that is gone.`, 404);
    }
    return { deployment, env, release };
  }

  #requireDeployable(release: Release): void {
    if (release.status === "pruned") {
      throw new DeployConflict(
        `Release v${release.version} was pruned to save disk space (only the newest releases stay built); deploy a newer release, or the same source again with \`slipway deploy\`.`,
        409,
      );
    }
    if (release.status !== "ready") {
      throw new DeployConflict(`Release v${release.version} is ${release.status}, not ready to deploy.`, 409);
    }
    // Recorded as built, but its files are gone (deleted by hand, a restored backup without
    // releases/): every replica would fail to start in a directory that is not there.
    if (release.artifact !== null && !existsSync(release.artifact)) {
      throw new DeployConflict(
        `Release v${release.version}'s build is missing from disk (${release.artifact}); deploy the same source again with \`slipway deploy\` to rebuild it.`,
        409,
      );
    }
  }

  /** Runs a recorded deployment's rollout in the background, after the environment's other work. */
  #launch(
    deployment: Deployment,
    env: Environment & { service_name: string },
    request: DeployRequest,
    previous: Release | undefined,
  ): void {
    // Whatever the rollout throws ends the deployment, never the process.
    const done = this.#exclusive(env.id, async () =>
      this.#rollout(deployment, env, request, previous ?? (await this.#records.liveRelease(env.id))),
    )
      .catch(async (error: unknown) => {
        const reason = `the rollout stopped unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
        this.#options.log.error({ err: error, deployment: deployment.id }, "rollout crashed");
        await this.#records.finishDeployment(deployment.id, "failed", reason).catch(() => undefined);
      })
      .finally(() => this.#running.delete(deployment.id));
    this.#running.set(deployment.id, done);
  }

  /** Sets the replica count of an environment (until the next `scale`) and converges to it now. */
  async scale(service: string, environment: string, replicas: number, actor: string | null): Promise<void> {
    const env = await this.#requireEnvironment(service, environment);
    await this.#records.setReplicasOverride(env.id, replicas);
    await this.#options.publish({
      kind: "environment.scaled",
      message: `${service}/${environment} scaled to ${replicas} replica${replicas === 1 ? "" : "s"}`,
      service,
      environment,
      data: { replicas, actor },
    });
    // Behind a rollout (a canary may pause for many minutes) the new count applies when it ends:
    // the caller is not kept waiting for that.
    const busy = this.#busy.has(env.id);
    const converging = this.#exclusive(env.id, () => this.#converge(env));
    if (busy) {
      converging.catch((error: unknown) =>
        this.#options.log.error({ err: error, service, environment }, "could not scale the environment"),
      );
      return;
    }
    await converging;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * After a (re)start: fails deployments that were interrupted, adopts replicas that still run
   * (pid and process start time must match), restarts what is missing and stops what is extra.
   */
  async start(): Promise<void> {
    for (const deployment of await this.#records.unfinishedDeployments()) {
      const env = await this.#records.environmentById(deployment.environment_id);
      const reason =
        "interrupted: the platform stopped during the rollout; the previous release keeps serving";
      await this.#records.finishDeployment(deployment.id, "failed", reason);
      if (env) {
        await this.#options.publish({
          kind: "deployment.failed",
          message: `Deployment ${deployment.id} of ${env.service_name}/${env.name} ${reason}`,
          service: env.service_name,
          environment: env.name,
          data: { deploymentId: deployment.id, reason },
        });
      }
    }
    for (const row of await this.#records.activeReplicas()) {
      await this.#adopt(row, row.state === "Ready");
    }
    const environments: (Environment & { service_name: string })[] = [];
    for (const { id } of await this.#options.store.db.selectFrom("environments").select("id").execute()) {
      const env = await this.#records.environmentById(id);
      if (env) {
        environments.push(env);
      }
    }
    // Adopted replicas of each live release serve again at once (once their readiness probe
    // passes): repairs below can take a stop grace period, and must not keep anything off the air.
    for (const env of environments) {
      await this.#routeLiveReplicas(env);
    }
    this.refreshRoutes();
    this.#repairing = this.#repairAll(environments);
  }

  /** Resolves when the repairs that start() began have finished (for tests and shutdown). */
  repaired(): Promise<void> {
    return this.#repairing;
  }

  /**
   * Replaces what died while the platform was down and stops what is extra (a rollout's new
   * replicas left behind by a crash), one environment at a time, in the background of start().
   */
  async #repairAll(environments: (Environment & { service_name: string })[]): Promise<void> {
    for (const env of environments) {
      if (this.#closed) {
        return;
      }
      // One environment that cannot be repaired must not keep the others from being repaired.
      await this.#exclusive(env.id, () => this.#converge(env)).catch((error: unknown) =>
        this.#options.log.error(
          { err: error, service: env.service_name, environment: env.name },
          "could not repair the environment",
        ),
      );
    }
    if (this.#closed) {
      return;
    }
    try {
      // Exited rows count as orphans too: a replica whose start a crash cut short (its row has no
      // pid yet) may still run, and only the runtime's own state knows its processes.
      await this.#options.runtime.cleanupOrphans(new Set(await this.#records.runningReplicaIds()));
    } catch (error) {
      this.#options.log.warn({ err: error }, "could not clean up orphaned replicas");
    }
    this.refreshRoutes();
    await this.#prune();
  }

  /** Marks an environment's replicas of its live release for routing. */
  async #routeLiveReplicas(env: Environment & { service_name: string }): Promise<void> {
    const live = await this.#records.liveRelease(env.id);
    for (const replica of this.replicasOf(env.id)) {
      if (live !== undefined && replica.releaseId === live.id) {
        replica.routed = true;
      }
    }
  }

  /** Deletes old release builds and ended replicas' logs; a failure here never fails a deploy. */
  async #prune(): Promise<void> {
    try {
      const pruned = await applyRetention(
        this.#options.store.db,
        this.#options.home,
        this.#options.retention,
      );
      for (const { service, version } of pruned.prunedReleases) {
        await this.#options.publish({
          kind: "release.pruned",
          message: `${service} v${version} was pruned: its build was deleted to save disk space`,
          service,
          environment: "",
          data: { releaseVersion: version },
        });
      }
    } catch (error) {
      this.#options.log.warn({ err: error }, "could not prune old releases and logs");
    }
  }

  /** Stops supervising without stopping replicas: they keep serving while the platform restarts. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#repairing.catch(() => undefined);
    await Promise.allSettled([...this.#busy.values()]);
    for (const replica of this.#replicas.values()) {
      replica.supervisor.detach();
      await replica.flushed();
    }
    this.#replicas.clear();
  }

  /**
   * Stops every replica of a service that is being deleted, as Kubernetes deletes a Deployment's
   * pods: out of rotation, drained, then stopped; after any rollout running there has finished.
   */
  async stopService(service: string): Promise<void> {
    for (const [environmentId, idle] of this.#scaledToZero) {
      if (idle.service === service) {
        this.#scaledToZero.delete(environmentId);
      }
    }
    // Every environment of the service, not only those with replicas: a first rollout or a scale
    // may be about to start some, and is waited for below.
    const rows = await this.#options.store.db
      .selectFrom("environments")
      .innerJoin("services", "services.id", "environments.service_id")
      .select("environments.id as id")
      .where("services.name", "=", service)
      .execute();
    const environmentIds = new Set([
      ...rows.map((row) => row.id),
      ...[...this.#replicas.values()].filter((r) => r.service === service).map((r) => r.environmentId),
    ]);
    // A canary's pauses can last many minutes: a service being deleted does not wait them out.
    for (const environmentId of environmentIds) {
      this.#abortCanary(environmentId, "the service is being deleted");
    }
    await Promise.all(
      [...environmentIds].map((environmentId) =>
        this.#exclusive(environmentId, async () => {
          const replicas = this.replicasOf(environmentId);
          for (const replica of replicas) {
            replica.routed = false;
          }
          this.refreshRoutes();
          const drainTimeout = Math.max(0, ...replicas.map((r) => r.plan.effective.deploy.drainTimeout));
          await this.#drain(
            replicas.map((r) => r.id),
            drainTimeout,
          );
          await Promise.all(replicas.map((r) => this.#stopReplica(r)));
        }),
      ),
    );
    this.refreshRoutes();
  }

  /** Stops every replica (`slipway down`). */
  async stopAll(): Promise<void> {
    // A rollout that fails meanwhile must not bring its previous release back up behind us.
    this.#stoppingAll = true;
    const all = [...this.#replicas.values()];
    for (const replica of all) {
      replica.routed = false;
    }
    this.refreshRoutes();
    await Promise.all(all.map((r) => this.#stopReplica(r)));
  }

  // ---------------------------------------------------------------- routing

  /** Rebuilds the router's table from the replicas that are routed and ready. */
  /**
   * A rollback asked for while a canary runs ends the canary first (Argo Rollouts' abort): its
   * steps can last many minutes, and the one asking wants the new release gone now.
   */
  #abortCanary(environmentId: string, reason: string): void {
    // Once it takes all the traffic the canary is being promoted: what asked then follows it
    // (#stopReason ignores an abort from then on).
    if (this.#canaries.has(environmentId)) {
      this.#aborts.set(environmentId, `aborted: ${reason}`);
    }
  }

  /** The canary in progress in an environment: its release and its share of requests. */
  canaryOf(environmentId: string): { release: number; weight: number } | undefined {
    const canary = this.#canaries.get(environmentId);
    return canary === undefined
      ? undefined
      : { release: Number(canary.release.slice(1)), weight: canary.weight };
  }

  refreshRoutes(): void {
    const groups = new Map<string, RoutedEnvironment>();
    for (const replica of this.#replicas.values()) {
      const key = replica.environmentId;
      const group = groups.get(key) ?? {
        service: replica.service,
        environment: replica.environment,
        spec: undefined,
        upstreams: [] as Upstream[],
      };
      const port = replica.port;
      if (replica.routed && replica.ready && port !== undefined) {
        group.upstreams.push({
          id: replica.id,
          url: `http://127.0.0.1:${port}`,
          release: `v${replica.releaseVersion}`,
        });
        group.spec = replica.plan.effective;
      }
      group.spec ??= replica.plan.effective;
      const canary = this.#canaries.get(key);
      if (canary !== undefined) {
        group.canary = canary;
      }
      groups.set(key, group);
    }
    for (const [environmentId, idle] of this.#scaledToZero) {
      if (!groups.has(environmentId)) {
        groups.set(environmentId, { ...idle, upstreams: [], scaledToZero: true });
      }
    }
    this.#options.router.setRoutes(buildRouteTable([...groups.values()]));
  }

  // ---------------------------------------------------------------- internals

  async #requireEnvironment(service: string, environment: string) {
    const env = await this.#records.environment(service, environment);
    if (!env) {
      throw new DeployConflict(`Service ${service} has no environment "${environment}".`, 404);
    }
    return env;
  }

  #releaseSpec(release: Release): ServiceSpec {
    let spec = this.#specCache.get(release.id);
    if (!spec) {
      spec = JSON.parse(release.spec_json) as ServiceSpec;
      this.#specCache.set(release.id, spec);
    }
    return spec;
  }

  #effective(release: Release, environment: string): ServiceSpec {
    const effective = effectiveSpec(this.#releaseSpec(release), environment);
    if (!effective) {
      throw new DeployConflict(
        `Release v${release.version} does not declare environment "${environment}".`,
        422,
      );
    }
    return effective;
  }

  #exclusive<T>(environmentId: string, work: () => Promise<T>): Promise<T> {
    const before = this.#busy.get(environmentId) ?? Promise.resolve();
    const next = before.catch(() => undefined).then(work);
    const tracked = next.finally(() => {
      if (this.#busy.get(environmentId) === tracked) {
        this.#busy.delete(environmentId);
      }
    });
    this.#busy.set(environmentId, tracked);
    return next;
  }

  async #rollout(
    deployment: Deployment,
    env: Environment & { service_name: string },
    request: DeployRequest,
    previous: Release | undefined,
  ): Promise<void> {
    const { release } = request;
    const where = `${request.service}/${env.name}`;
    const effective = this.#effective(release, env.name);
    const desired = desiredReplicas(effective, env.replicas_override);
    const old = this.replicasOf(env.id);
    const canary = effective.deploy.strategy === "canary" ? effective.deploy.canary : undefined;
    // A rollback to what already runs at full strength (a canary just aborted) has nothing to do.
    const sameRelease = old.length > 0 && old.every((r) => r.releaseId === release.id);
    const alreadyLive =
      request.kind === "rollback" && sameRelease && old.length === desired && old.every((r) => r.ready);
    // A rollback or a restart goes back to what already ran, at once (Argo Rollouts skips the
    // steps on a rollback too); a first deploy has nothing to compare the new release with.
    const plan = alreadyLive
      ? { steps: [] }
      : // A canary compares two releases: the same one again (a redeploy) just rolls.
        canary !== undefined && request.kind === "deploy" && old.length > 0 && !sameRelease
        ? planCanary({
            oldReplicas: old.map((r) => r.id),
            desired,
            steps: canary.steps,
            drainTimeoutMs: effective.deploy.drainTimeout,
            stopGraceMs: this.#stopGraceMs(effective),
          })
        : planRollingUpdate({
            oldReplicas: old.map((r) => r.id),
            desired,
            maxSurge: effective.deploy.maxSurge as number | `${number}%`,
            maxUnavailable: effective.deploy.maxUnavailable as number | `${number}%`,
            drainTimeoutMs: effective.deploy.drainTimeout,
            stopGraceMs: this.#stopGraceMs(effective),
          });
    await this.#records.savePlan(deployment.id, { kind: request.kind, desired, ...plan });
    await this.#options.publish({
      kind: "deployment.started",
      message: `${startedVerb(request.kind, release.version, where)}: ${desired} replica${desired === 1 ? "" : "s"}, ${plan.steps.length} steps`,
      service: request.service,
      environment: env.name,
      data: {
        deploymentId: deployment.id,
        releaseVersion: release.version,
        kind: request.kind,
        actor: request.actor,
        desired,
      },
    });
    await this.#warnOfMissingSecrets(deployment, env, effective, release.version);
    const started: LiveReplica[] = [];
    let deadline = Date.now() + effective.deploy.readyTimeout;
    try {
      for (const step of plan.steps) {
        await this.#runStep(step, { deployment, env, release, effective, started, deadline, where });
        if (step.kind === "pause") {
          // The replicas a later canary step starts get their own readyTimeout, not what the pauses left.
          deadline = Date.now() + effective.deploy.readyTimeout;
        }
      }
      this.#endCanary(env.id);
      await this.#records.finishDeployment(deployment.id, "succeeded", null);
      void this.#prune();
      await this.#options.publish({
        kind: "deployment.succeeded",
        message: `v${release.version} is live in ${where}`,
        service: request.service,
        environment: env.name,
        data: { deploymentId: deployment.id, releaseVersion: release.version },
      });
    } catch (error) {
      const failure: RolloutFailure =
        error instanceof RolloutFailed
          ? error.failure
          : { reason: error instanceof Error ? error.message : String(error) };
      // Kept with the deployment, so reading it back never has to search the timeline.
      await this.#records.savePlan(deployment.id, {
        kind: request.kind,
        desired,
        ...(previous ? {} : { keptReplicas: true }),
        failure,
        ...plan,
      });
      if (previous) {
        // Old replicas still running go back into rotation before the new ones leave it: a
        // failure after they were routed out (draining) must not leave the route empty.
        for (const replica of old) {
          if (this.#replicas.has(replica.id)) {
            replica.routed = true;
          }
        }
        await this.#abandon(started);
        // Earlier batches may have stopped old replicas: bring the previous release back to
        // strength, unless everything is being stopped (`slipway down`).
        if (!this.#stoppingAll && !this.#closed) {
          await this.#converge(env).catch((e: unknown) =>
            this.#options.log.error({ err: e }, "could not restore the previous release"),
          );
        }
      } else {
        // Nothing to fall back to: like Kubernetes, the replicas stay and keep restarting
        // (CrashLoopBackOff), so `slipway status` and the logs show why until a fix is deployed.
        for (const replica of started) {
          if (replica) {
            replica.routed = true;
          }
        }
        this.refreshRoutes();
      }
      // Only now: with the split still in place while the new replicas left, they kept no more
      // than their share of requests on the way out.
      this.#endCanary(env.id);
      await this.#records.finishDeployment(deployment.id, "failed", failure.reason);
      await this.#options.publish({
        kind: "deployment.failed",
        message: `${failedWhat(request.kind, release.version, where, previous?.version)}: ${failure.reason}`,
        service: request.service,
        environment: env.name,
        data: { deploymentId: deployment.id, releaseVersion: release.version, failure },
      });
    } finally {
      // Whatever failed on the way, no split outlives its rollout.
      this.#endCanary(env.id);
    }
  }

  async #runStep(
    step: RolloutStep,
    ctx: {
      deployment: Deployment;
      env: Environment & { service_name: string };
      release: Release;
      effective: ServiceSpec;
      started: LiveReplica[];
      deadline: number;
      where: string;
    },
  ): Promise<void> {
    const stop = this.#stopReason(ctx.env.id);
    if (stop !== undefined) {
      throw new RolloutFailed({ reason: stop });
    }
    switch (step.kind) {
      case "start":
        for (const slot of step.slots) {
          ctx.started[slot] = await this.#startReplica(
            ctx.env,
            ctx.release,
            ctx.effective,
            ctx.deployment.id,
          );
        }
        break;
      case "await-ready":
        await this.#awaitReady(
          step.slots.map((slot) => ctx.started[slot]).filter((r): r is LiveReplica => r !== undefined),
          ctx.deadline,
          ctx.effective.deploy.readyTimeout,
        );
        break;
      case "route-in":
        this.#routeIn(step.slots, ctx.started);
        break;
      case "route-out":
        for (const id of step.replicas) {
          const replica = this.#replicas.get(id);
          if (replica) {
            replica.routed = false;
          }
        }
        this.refreshRoutes();
        break;
      case "drain":
        await this.#drain(step.replicas, step.timeoutMs);
        break;
      case "stop":
        await Promise.all(
          step.replicas
            .map((id) => this.#replicas.get(id))
            .filter((r): r is LiveReplica => r !== undefined)
            .map((r) => this.#stopReplica(r)),
        );
        break;
      case "shift":
        this.#canaries.set(ctx.env.id, { release: `v${ctx.release.version}`, weight: step.weight });
        this.#routeIn(step.slots, ctx.started);
        break;
      case "pause":
        await this.#options.publish({
          kind: "deployment.step",
          message: `${ctx.where}: canary at ${step.weight}% for ${formatDuration(step.ms)}: watching ${ctx.started.map((r) => r.id).join(", ")}`,
          service: ctx.env.service_name,
          environment: ctx.env.name,
          data: {
            deploymentId: ctx.deployment.id,
            releaseVersion: ctx.release.version,
            step: "pause-begin",
            pauseMs: step.ms,
          },
        });
        await watchCanary({
          replicas: ctx.started.filter(Boolean),
          step,
          release: `v${ctx.release.version}`,
          maxErrorRate: ctx.effective.deploy.canary?.maxErrorRate ?? CANARY_DEFAULT_MAX_ERROR_RATE,
          responses: () =>
            this.#options.router.responses(ctx.env.service_name, ctx.env.name, `v${ctx.release.version}`),
          stopReason: () => this.#stopReason(ctx.env.id),
          tail: (replica) => this.#tail(replica),
        });
        break;
    }
    await this.#options.publish({
      kind: "deployment.step",
      message: `${ctx.where}: ${describeStep(step, ctx.started)}`,
      service: ctx.env.service_name,
      environment: ctx.env.name,
      data: { deploymentId: ctx.deployment.id, releaseVersion: ctx.release.version, step: step.kind },
    });
  }

  async #startReplica(
    env: Environment & { service_name: string },
    release: Release,
    effective: ServiceSpec,
    deploymentId: string,
  ): Promise<LiveReplica> {
    const id = newId("rep");
    const secrets = await resolveSecrets(
      this.#options.store.db,
      this.#options.secretBox,
      env.service_name,
      env.name,
    );
    const runAs = await this.#options.users?.runAs(environmentUser(env.service_name, env.name));
    const plan = planReplica({
      home: this.#options.home,
      replicaId: id,
      service: env.service_name,
      environment: env.name,
      releaseVersion: release.version,
      effective,
      secrets,
      ...(runAs === undefined ? {} : { runAs }),
    });
    const { spec: _spec, ...probes } = plan;
    const stored: StoredReplica = { spec: plan.spec, plan: probes };
    // The stored spec carries decrypted secrets in env: seal it like any secret at rest.
    await this.#records.insertReplica({
      id,
      deployment_id: deploymentId,
      environment_id: env.id,
      release_id: release.id,
      driver: this.#options.runtime.name,
      state: "Starting",
      pid: null,
      process_start_time: null,
      port: null,
      restarts: 0,
      exit_code: null,
      reason: null,
      started_at: null,
      updated_at: nowIso(),
      spec_json: this.#sealStored(id, stored),
      last_log: null,
    });
    const replica = this.#liveReplica(id, env, release, effective, plan, 0);
    await replica.supervisor.start();
    return replica;
  }

  #liveReplica(
    id: string,
    env: Environment & { service_name: string },
    release: Release,
    effective: ServiceSpec,
    plan: ReturnType<typeof planReplica>,
    restarts: number,
  ): LiveReplica {
    const replica = new LiveReplica(
      id,
      env.service_name,
      env.name,
      env.id,
      release.id,
      release.version,
      { ...plan, effective },
      {
        runtime: this.#options.runtime,
        records: this.#records,
        publish: this.#options.publish,
        ...(this.#options.backoff ? { backoff: this.#options.backoff } : {}),
        stopGraceMs: this.#stopGraceMs(effective),
        onRoutingChange: () => this.refreshRoutes(),
        onError: (error, what) => this.#options.log.error({ err: error }, what),
        seal: (stored) => this.#sealStored(id, stored),
      },
      restarts,
    );
    this.#replicas.set(id, replica);
    return replica;
  }

  #sealStored(id: string, stored: StoredReplica): string {
    return this.#options.secretBox.seal(JSON.stringify(stored), `replica/${id}`);
  }

  #openStored(id: string, sealed: string): StoredReplica {
    return JSON.parse(this.#options.secretBox.open(sealed, `replica/${id}`)) as StoredReplica;
  }

  async #awaitReady(replicas: LiveReplica[], deadline: number, readyTimeoutMs: number): Promise<void> {
    for (;;) {
      const crashed = replicas.find((r) => r.exits > 0 && !r.ready);
      if (crashed) {
        const exit = crashed.lastExit;
        throw new RolloutFailed({
          reason: `replica ${crashed.id} ${exit ? `exited with code ${exit.code ?? "?"} (${exit.reason})` : "could not start"} before it became ready${exit?.reason === "LivenessFailed" && exit.message ? `: ${crashed.mask(exit.message)}` : ""}`,
          replica: crashed.id,
          exitCode: exit?.code ?? null,
          ...(exit ? { exitReason: exit.reason } : {}),
          lastLog: crashed.lastLog,
        });
      }
      if (replicas.every((r) => r.ready)) {
        return;
      }
      const stop = this.#stopReason(replicas[0]?.environmentId ?? "");
      if (stop !== undefined) {
        throw new RolloutFailed({ reason: stop });
      }
      if (Date.now() > deadline) {
        const slow = replicas.find((r) => !r.ready);
        const lastCheck = slow?.supervisor.status().readinessFailure;
        throw new RolloutFailed({
          reason: `replica ${slow?.id ?? "?"} did not become ready within ${Math.round(readyTimeoutMs / 1000)} s (deploy.readyTimeout)${lastCheck && slow ? `; its last check: ${slow.mask(lastCheck)}` : ""}`,
          ...(slow ? { replica: slow.id, lastLog: await this.#tail(slow) } : {}),
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  #routeIn(slots: number[], started: LiveReplica[]): void {
    for (const slot of slots) {
      const replica = started[slot];
      if (replica) {
        replica.routed = true;
      }
    }
    this.refreshRoutes();
  }

  /**
   * Declared secrets with no value in the environment: the replicas start without them, which
   * usually fails in a way that does not name the secret. Said once, up front, in the rollout's
   * own progress (Kubernetes refuses to start such a pod; Slipway warns, so an optional secret
   * may stay unset).
   */
  async #warnOfMissingSecrets(
    deployment: Deployment,
    env: Environment & { service_name: string },
    effective: ServiceSpec,
    version: number,
  ): Promise<void> {
    if (effective.secrets.length === 0) {
      return;
    }
    const values = await resolveSecrets(
      this.#options.store.db,
      this.#options.secretBox,
      env.service_name,
      env.name,
    );
    const missing = effective.secrets.filter((name) => values[name] === undefined);
    if (missing.length === 0) {
      return;
    }
    const first = missing[0] ?? "";
    await this.#options.publish({
      kind: "deployment.secrets_missing",
      message: `${env.service_name}/${env.name}: ${missing.length === 1 ? "secret" : "secrets"} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} declared but not set here, so v${version} starts without ${missing.length === 1 ? "it" : "them"} (\`slipway secrets set ${env.service_name} ${first} --env ${env.name}\`)`,
      service: env.service_name,
      environment: env.name,
      data: { deploymentId: deployment.id, releaseVersion: version, missing },
    });
  }

  /**
   * Why a rollout in the environment must stop now, if it must. An abort counts only until the
   * canary takes all the traffic: after that the old replicas go out of rotation, and backing out
   * there would leave nothing routed.
   */
  #stopReason(environmentId: string): string | undefined {
    if (this.#closed) {
      return "the platform is shutting down";
    }
    if (this.#stoppingAll) {
      return "every replica is being stopped (slipway down)";
    }
    return (this.#canaries.get(environmentId)?.weight ?? 0) < 100
      ? this.#aborts.get(environmentId)
      : undefined;
  }

  /** The canary's split is over: its release has all the traffic, or none. */
  #endCanary(environmentId: string): void {
    this.#aborts.delete(environmentId);
    if (this.#canaries.delete(environmentId)) {
      this.refreshRoutes();
    }
  }

  async #tail(replica: LiveReplica): Promise<string[]> {
    const lines: string[] = [];
    for await (const line of this.#options.runtime.readLogs(replica.id, { limit: 20 })) {
      lines.push(replica.mask(line.line, line));
    }
    return lines;
  }

  async #drain(ids: string[], timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    const busy = async () => {
      const counts = await Promise.all(ids.map((id) => this.#options.router.outstanding(id)));
      return counts.some((count) => count > 0);
    };
    while ((await busy()) && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async #stopReplica(replica: LiveReplica): Promise<void> {
    replica.routed = false;
    try {
      await replica.supervisor.stop(this.#stopGraceMs(replica.plan.effective));
    } finally {
      await replica.flushed();
      this.#replicas.delete(replica.id);
      this.#endLeftovers(replica);
    }
  }

  /**
   * Once an environment's last replica is gone, so is everything its user still runs: what a
   * command probe started in the background lives outside the replica's cgroup, and would
   * survive the stop (and `slipway down`) otherwise.
   */
  #endLeftovers(stopped: LiveReplica): void {
    const { runAs } = stopped.plan.spec;
    const siblings = [...this.#replicas.values()].some((other) => other.plan.spec.runAs?.uid === runAs?.uid);
    if (runAs !== undefined && !siblings) {
      killUserProcesses(runAs);
    }
  }

  async #abandon(started: LiveReplica[]): Promise<void> {
    for (const replica of started) {
      replica.routed = false;
    }
    this.refreshRoutes();
    await Promise.all(started.filter(Boolean).map((r) => this.#stopReplica(r)));
  }

  /** Brings an environment to its live release × desired count: starts the missing, stops the extra. */
  async #converge(env: Environment & { service_name: string }): Promise<void> {
    const fresh = (await this.#records.environmentById(env.id)) ?? env;
    const live = await this.#records.liveRelease(env.id);
    const current = this.replicasOf(env.id);
    const strays = current.filter((r) => r.releaseId !== live?.id);
    // The live release's replicas are routed before any stray is stopped: a stray that ignores
    // SIGTERM holds its stop for the whole grace period, and the service must serve meanwhile.
    const mine = current.filter((r) => r.releaseId === live?.id);
    for (const replica of mine) {
      replica.routed = true;
    }
    for (const stray of strays) {
      stray.routed = false;
    }
    this.refreshRoutes();
    await Promise.all(strays.map((stray) => this.#stopReplica(stray)));
    if (!live) {
      this.#scaledToZero.delete(env.id);
      return;
    }
    const effective = this.#effective(live, env.name);
    const desired = desiredReplicas(effective, fresh.replicas_override);
    if (desired === 0) {
      this.#scaledToZero.set(env.id, { service: env.service_name, environment: env.name, spec: effective });
    } else {
      this.#scaledToZero.delete(env.id);
    }
    for (let i = mine.length; i < desired; i++) {
      const replica = await this.#startReplica(
        fresh,
        live,
        effective,
        await this.#deploymentOf(env.id, live.id),
      );
      replica.routed = true;
    }
    for (const extra of mine.slice(desired)) {
      extra.routed = false;
      this.refreshRoutes();
      await this.#drain([extra.id], effective.deploy.drainTimeout);
      await this.#stopReplica(extra);
    }
    this.refreshRoutes();
  }

  /** The deployment that made `releaseId` live here (succeeded, or a kept failed first deploy). */
  async #deploymentOf(environmentId: string, releaseId: string): Promise<string> {
    const row = await this.#options.store.db
      .selectFrom("deployments")
      .select("id")
      .where("environment_id", "=", environmentId)
      .where("release_id", "=", releaseId)
      .orderBy("created_at", "desc")
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async #adopt(row: Replica, wasReady: boolean): Promise<void> {
    const { id, environment_id: environmentId, release_id: releaseId, restarts, spec_json: sealed } = row;
    const env = await this.#records.environmentById(environmentId);
    const release = await this.#records.release(releaseId);
    let stored: StoredReplica | undefined;
    try {
      stored = sealed ? this.#openStored(id, sealed) : undefined;
    } catch (error) {
      this.#options.log.warn(
        { err: error, replica: id },
        "cannot read the stored replica spec (was SLIPWAY_SECRET_KEY changed?)",
      );
    }
    if (!env || !release || !stored?.handle) {
      await this.#records.updateReplica(id, { state: "Exited", reason: "Error" });
      return;
    }
    const outcome = await this.#options.runtime.adopt({
      id,
      pid: stored.handle.pid,
      processStartTime: stored.handle.processStartTime,
      spec: stored.spec,
    });
    if (outcome === "gone") {
      await this.#records.updateReplica(id, { state: "Exited" });
      await this.#options.publish({
        kind: "replica.gone",
        message: `${env.service_name}/${env.name} replica ${id} ended while the platform was down; it will be replaced`,
        service: env.service_name,
        environment: env.name,
        data: { replica: id },
      });
      return;
    }
    const effective = this.#effective(release, env.name);
    const replica = this.#liveReplica(
      id,
      env,
      release,
      effective,
      { spec: stored.spec, ...stored.plan },
      restarts,
    );
    replica.supervisor.attach(stored.handle, { ready: wasReady });
    if (this.#options.users?.disabledBecause === undefined && this.#options.users && !stored.spec.runAs) {
      // Started before this platform ran workloads as users of their own: it keeps the
      // platform's rights until it is replaced, and its restarts keep them too.
      await this.#options.publish({
        kind: "replica.unisolated",
        message: `${env.service_name}/${env.name} replica ${id} runs as the platform's own user, as it was started before replicas ran as users of their own; \`slipway restart ${env.service_name} --env ${env.name}\` replaces it`,
        service: env.service_name,
        environment: env.name,
        data: { replica: id },
      });
    }
    await this.#options.publish({
      kind: "replica.adopted",
      message: `${env.service_name}/${env.name} replica ${id} (v${release.version}) survived the platform restart and was adopted`,
      service: env.service_name,
      environment: env.name,
      data: { replica: id, pid: stored.handle.pid },
    });
  }

  /**
   * The spec's `deploy.stopGracePeriod`, unless the platform was started with its own (tests);
   * releases recorded before the field existed get its default, 30 s.
   */
  #stopGraceMs(effective: ServiceSpec): number {
    return this.#options.stopGraceMs ?? effective.deploy.stopGracePeriod ?? 30_000;
  }
}

/** `Deploying v3 to web/staging`, `Rolling web/staging back to v2`, `Restarting v3 in web/staging`. */
function startedVerb(kind: DeploymentKind, version: number, where: string): string {
  switch (kind) {
    case "rollback":
      return `Rolling ${where} back to v${version}`;
    case "restart":
      return `Restarting v${version} in ${where}`;
    default:
      return `Deploying v${version} to ${where}`;
  }
}

/** What failed, and what serves now: the previous release, or for a restart the same one. */
function failedWhat(
  kind: DeploymentKind,
  version: number,
  where: string,
  previous: number | undefined,
): string {
  if (kind === "restart") {
    return `Restart of v${version} in ${where} failed; its earlier replicas keep serving`;
  }
  const what =
    kind === "rollback" ? `Rollback of ${where} to v${version}` : `Deployment of v${version} to ${where}`;
  return `${what} failed${previous !== undefined && previous !== version ? ` and was rolled back to v${previous}` : ""}`;
}

function describeStep(step: RolloutStep, started: LiveReplica[]): string {
  const ids = (slots: number[]) => slots.map((s) => started[s]?.id ?? `#${s}`).join(", ");
  switch (step.kind) {
    case "start":
      return `started ${ids(step.slots)}`;
    case "await-ready":
      return `${ids(step.slots)} ready`;
    case "route-in":
      return `${ids(step.slots)} in rotation`;
    case "route-out":
      return `${step.replicas.join(", ")} out of rotation`;
    case "drain":
      return `${step.replicas.join(", ")} drained`;
    case "stop":
      return `${step.replicas.join(", ")} stopped`;
    case "shift":
      return step.weight === 100
        ? `${step.slots.length > 0 ? `${ids(step.slots)} in rotation; ` : ""}the new release takes all requests`
        : `${step.slots.length > 0 ? `${ids(step.slots)} in rotation; ` : ""}canary: the new release gets ${step.weight}% of requests`;
    case "pause":
      return `canary held at ${step.weight}% for ${formatDuration(step.ms)} without a failure`;
  }
}
