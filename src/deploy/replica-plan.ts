import { join } from "node:path";
import type { HealthProbe, ReplicaSpec, RunAs } from "../runtime/index.js";
import { type ServiceSpec, WORKER_SETTLE_MS } from "../spec/index.js";
import { releaseAppDir, replicaLogDir } from "./paths.js";

/** Everything needed to run (and supervise) one replica of a release in an environment. */
export interface ReplicaPlan {
  spec: ReplicaSpec;
  readiness?: HealthProbe;
  liveness?: HealthProbe;
  startup?: HealthProbe;
}

export interface ReplicaPlanInput {
  home: string;
  replicaId: string;
  service: string;
  environment: string;
  releaseVersion: number;
  /** The release's spec with this environment's overrides merged. */
  effective: ServiceSpec;
  /** Decrypted secrets for this service and environment. */
  secrets: Record<string, string>;
  /** The environment's own user, when the platform isolates replicas. */
  runAs?: RunAs;
}

/**
 * The runtime spec of a replica, computed as data. Replicas always get a free `PORT` on
 * 127.0.0.1: several replicas share one machine, so a fixed `port` from the spec cannot be
 * honoured by the process runtime (it matters to container runtimes).
 */
export function planReplica(input: ReplicaPlanInput): ReplicaPlan {
  const { effective } = input;
  const declared = new Set(effective.secrets);
  const secrets = Object.fromEntries(Object.entries(input.secrets).filter(([name]) => declared.has(name)));
  const appDir = releaseAppDir(input.home, input.service, input.releaseVersion);
  const workdir = effective.build?.workdir ?? ".";
  return {
    spec: {
      id: input.replicaId,
      service: input.service,
      environment: input.environment,
      release: `v${input.releaseVersion}`,
      command: effective.start,
      cwd: join(appDir, workdir),
      env: {
        ...effective.env,
        ...secrets,
        SLIPWAY_SERVICE: input.service,
        SLIPWAY_ENVIRONMENT: input.environment,
        SLIPWAY_RELEASE: `v${input.releaseVersion}`,
        SLIPWAY_REPLICA: input.replicaId,
      },
      resources: {
        ...(effective.resources.memory === undefined ? {} : { memoryBytes: effective.resources.memory }),
        ...(effective.resources.cpu === undefined ? {} : { cpuCores: effective.resources.cpu }),
      },
      logDir: replicaLogDir(input.home, input.service, input.environment, input.replicaId),
      ...(input.runAs === undefined ? {} : { runAs: input.runAs }),
    },
    ...(effective.health.readiness ? { readiness: effective.health.readiness } : {}),
    ...(effective.health.liveness ? { liveness: effective.health.liveness } : {}),
    ...startupGate(effective),
  };
}

const PORT_BINDING_PERIOD_MS = 250;

/** What a replica that never listened is told, like Heroku's R10 boot timeout. */
function portBindingFailure(declaredPort: number | undefined, timeoutMs: number): string {
  const where =
    declaredPort === undefined
      ? "listen on $PORT"
      : `listen on $PORT, not on port ${declaredPort} from slipway.yaml (the process runtime gives every replica a port of its own)`;
  return `did not listen on $PORT within ${Math.round(timeoutMs / 1000)} s (deploy.readyTimeout): without a readiness or startup probe Slipway waits for the port; ${where}, or, for a service that serves no requests, set \`kind: worker\``;
}

/**
 * The spec's startup probe; without a startup or readiness probe, a check that the replica
 * accepts connections on `$PORT`, as Heroku and Cloud Run do (for a worker: that it has run
 * for a moment without exiting). Every service must listen there,
 * and without it a replica would get traffic (and a rollout would retire the old ones) before
 * it listens: requests refused in the middle of a zero-downtime deploy.
 */
function startupGate(effective: ServiceSpec): Pick<ReplicaPlan, "startup"> {
  const { startup, readiness } = effective.health;
  if (startup !== undefined) {
    return { startup };
  }
  if (readiness !== undefined) {
    return {};
  }
  if (effective.kind === "worker") {
    return {
      startup: {
        check: { type: "running" },
        initialDelay: WORKER_SETTLE_MS,
        period: PORT_BINDING_PERIOD_MS,
        timeout: 1000,
        failureThreshold: 1,
        successThreshold: 1,
        passedSummary: `ran for ${WORKER_SETTLE_MS / 1000} s without exiting`,
      },
    };
  }
  return {
    startup: {
      check: { type: "tcp" },
      initialDelay: 0,
      period: PORT_BINDING_PERIOD_MS,
      timeout: 1000,
      // Heroku gives 60 s; a replica here may take as long as a rollout waits for it.
      failureThreshold: Math.max(1, Math.ceil(effective.deploy.readyTimeout / PORT_BINDING_PERIOD_MS)),
      successThreshold: 1,
      failureSummary: portBindingFailure(effective.port, effective.deploy.readyTimeout),
      passedSummary: "$PORT accepts connections",
    },
  };
}

/** How many replicas an environment wants: `slipway scale` wins, then the spec (scale.min when autoscaled). */
export function desiredReplicas(effective: ServiceSpec, override: number | null): number {
  if (override !== null) {
    return override;
  }
  return effective.replicas ?? effective.scale?.min ?? 1;
}
