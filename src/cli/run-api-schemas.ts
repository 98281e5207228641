import { z } from "zod";

// The shapes of the run/deploy API answers the CLI reads (releases, deployments, logs, status).
// As in api-schemas.ts, only what the CLI uses is required; loose objects keep the rest for --json.

const timestamp = z.string();

/** A release number: the server sends 3; a few places accept "v3" too. */
const version = z.number().int();

/** One release as listed. */
export const releaseSummary = z.looseObject({
  id: z.string(),
  version,
  status: z.string(),
  commit: z.string().nullable().optional(),
  createdAt: timestamp.optional(),
  createdBy: z.string().nullable().optional(),
  liveIn: z.array(z.string()).optional(),
});

/** A release as listed by GET /services/:name/releases. */
export type ReleaseSummary = z.infer<typeof releaseSummary>;

/** POST /api/v1/services/:name/releases */
export const releaseUploadResponse = z.object({
  release: z.looseObject({ id: z.string(), version, status: z.string() }),
  deployment: z.looseObject({ id: z.string() }).nullable().optional(),
});

/** GET /api/v1/services/:name/releases */
export const releaseListResponse = z.object({ releases: z.array(releaseSummary) });

/** GET /api/v1/services/:name/releases/:version */
export const releaseDetailResponse = z.object({
  release: releaseSummary.extend({
    deployment: z.looseObject({ id: z.string(), status: z.string() }).nullable().optional(),
  }),
});

/** Why a deployment failed, as the server found it on the failing replica. */
export const deploymentFailure = z.looseObject({
  /** Why the deployment failed, in words. */
  reason: z.string().nullable().optional(),
  replica: z.string().nullable().optional(),
  exitCode: z.number().nullable().optional(),
  /** How the replica ended: `Error`, `OOMKilled`, `LivenessFailed`. */
  exitReason: z.string().nullable().optional(),
  lastLog: z.array(z.string()).optional(),
  /** A first deploy with nothing to roll back to: its replicas stay, restarting. */
  keptReplicas: z.boolean().optional(),
});

/** One deployment: the rollout of a release to an environment. */
export const deployment = z.looseObject({
  id: z.string(),
  service: z.string().optional(),
  environment: z.string(),
  release: version.nullable().optional(),
  status: z.string(),
  reason: z.string().nullable().optional(),
  kind: z.string().optional(),
  createdAt: timestamp.optional(),
  createdBy: z.string().nullable().optional(),
  finishedAt: timestamp.nullable().optional(),
  failure: deploymentFailure.nullable().optional(),
});

/** A deployment as the CLI reads it. */
export type Deployment = z.infer<typeof deployment>;

/** The statuses after which a deployment changes no more. */
export const FINISHED_DEPLOYMENT_STATUSES: ReadonlySet<string> = new Set([
  "succeeded",
  "failed",
  "rejected",
  "rolled_back",
]);

/** POST …/deployments, …/rollback, …/restart; GET /deployments/:id and …/wait */
export const deploymentResponse = z.object({ deployment });

/** POST /api/v1/services/:name/scale */
export const scaleResponse = z.looseObject({ environment: z.string(), replicas: z.number().int() });

/** GET /api/v1/services/:name: the environments, in promotion order. */
export const serviceDetailResponse = z.object({
  service: z.looseObject({
    name: z.string(),
    environments: z.array(z.looseObject({ name: z.string(), position: z.number().optional() })),
  }),
});

/** One captured log line of a replica or a build. */
export const logLine = z.looseObject({
  at: timestamp,
  stream: z.string(),
  replica: z.string().nullable().optional(),
  release: z.union([version, z.string()]).nullable().optional(),
  line: z.string(),
  truncated: z.boolean().optional(),
});

/** A log line as the CLI reads it. */
export type LogLine = z.infer<typeof logLine>;

/** GET /api/v1/services/:name/logs */
export const logListResponse = z.object({ lines: z.array(logLine) });

/** The `end` message of a followed build log. */
export const buildLogEnd = z.looseObject({ status: z.string(), reason: z.string().nullable().optional() });

/** One replica in GET /services/:name/status (issue 3 fields). */
export const replicaStatus = z.looseObject({
  id: z.string(),
  state: z.string(),
  ready: z.boolean().optional(),
  release: version.nullable().optional(),
  port: z.number().nullable().optional(),
  pid: z.number().nullable().optional(),
  restarts: z.number().optional(),
  exitCode: z.number().nullable().optional(),
  reason: z.string().nullable().optional(),
  exitMessage: z.string().optional(),
  oom: z.looseObject({ limitBytes: z.number(), peakBytes: z.number() }).nullable().optional(),
  nextRestartAt: timestamp.nullable().optional(),
  backoffSeconds: z.number().nullable().optional(),
  readinessFailure: z.string().optional(),
  lastLog: z.array(z.string()).optional(),
  startedAt: timestamp.nullable().optional(),
});

/** A replica's status as the CLI reads it. */
export type ReplicaStatus = z.infer<typeof replicaStatus>;

/** One environment in GET /services/:name/status. */
export const environmentStatus = z.looseObject({
  name: z.string(),
  release: z
    .looseObject({ version: z.union([version, z.string()]) })
    .nullable()
    .optional(),
  replicas: z.array(replicaStatus).optional(),
  url: z.string().nullable().optional(),
  kind: z.string().optional(),
  desiredReplicas: z.number().nullable().optional(),
  canary: z.looseObject({ release: z.number(), weight: z.number() }).optional(),
});

/** An environment's status as the CLI reads it. */
export type EnvironmentStatus = z.infer<typeof environmentStatus>;

/** GET /api/v1/services/:name/status, with the run fields of issue 3. */
export const serviceRunStatusResponse = z.looseObject({
  service: z.union([z.string(), z.looseObject({ name: z.string() })]),
  environments: z.array(environmentStatus),
});

/** A service's status as the CLI reads it. */
export type ServiceRunStatus = z.infer<typeof serviceRunStatusResponse>;
