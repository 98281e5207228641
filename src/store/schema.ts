import type { Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * The tables of the state store, as Kysely sees them.
 *
 * Conventions that keep SQLite and PostgreSQL interchangeable:
 * - ids are text (`svc_…`, `usr_…`), made by `newId(prefix)`; only `events.seq` and `audit.seq` are
 *   integers, because live streams resume from "the last sequence number I saw".
 * - timestamps are ISO-8601 UTC text with milliseconds (`2026-11-27T18:19:33.123Z`): they sort as text
 *   and read the same from both engines.
 * - JSON documents are text (`*_json`), encoded and decoded by the repositories.
 * - booleans are integers 0/1.
 */
export interface Database {
  services: ServicesTable;
  environments: EnvironmentsTable;
  releases: ReleasesTable;
  deployments: DeploymentsTable;
  replicas: ReplicasTable;
  runs: RunsTable;
  events: EventsTable;
  users: UsersTable;
  tokens: TokensTable;
  role_bindings: RoleBindingsTable;
  secrets: SecretsTable;
  secret_history: SecretHistoryTable;
  audit: AuditTable;
  workload_users: WorkloadUsersTable;
}

/** A numeric user replicas or builds run as: `service/environment`, or `service/build`. */
export interface WorkloadUsersTable {
  name: string;
  uid: number;
  created_at: string;
}

export interface ServicesTable {
  id: string;
  name: string;
  /** The normalised spec (after defaults) as JSON. */
  spec_json: string;
  /** The source text the spec was read from, kept for `slipway plan` diffs. */
  spec_source: string;
  created_at: string;
  updated_at: string;
}

export interface EnvironmentsTable {
  id: string;
  service_id: string;
  name: string;
  /** Order of promotion: 0 is first (e.g. staging), then production. */
  position: number;
  approval_required: number;
  /** Set by `slipway scale`: wins over the spec's replica count until the next deploy changes it. */
  replicas_override: number | null;
  created_at: string;
}

export interface ReleasesTable {
  id: string;
  service_id: string;
  /** 1, 2, 3… per service: what users call "v3". */
  version: number;
  commit_sha: string | null;
  /** Snapshot of the spec this release was built with. */
  spec_json: string;
  /** building | ready | failed | pruned (its build was deleted to save disk space) */
  status: string;
  /** Why its build failed, when it did. */
  failure_reason: string | null;
  /** Where the build output lives (a directory in the data dir, or an image reference). */
  artifact: string | null;
  created_by: string | null;
  created_at: string;
}

export interface DeploymentsTable {
  id: string;
  release_id: string;
  environment_id: string;
  /** rolling | canary */
  strategy: string;
  /** awaiting_approval | pending | in_progress | succeeded | failed | rolled_back | rejected */
  status: string;
  reason: string | null;
  /** The rollout plan computed before execution, as JSON. */
  plan_json: string | null;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
  /** The release that was live before this deployment: what a failed rollout falls back to. */
  previous_release_id: string | null;
}

export interface ReplicasTable {
  id: string;
  deployment_id: string;
  environment_id: string;
  release_id: string;
  /** process | docker | kubernetes */
  driver: string;
  /** Starting | Running | Ready | CrashLoopBackOff | Terminating | Exited */
  state: string;
  pid: number | null;
  /** Process start time as the OS reports it: with pid, proves a process is still the one we started. */
  process_start_time: string | null;
  port: number | null;
  restarts: number;
  exit_code: number | null;
  /** Error | OOMKilled | LivenessFailed | Completed */
  reason: string | null;
  started_at: string | null;
  updated_at: string;
  /** The runtime's replica spec as JSON: what it takes to adopt or restart the replica after a platform restart. */
  spec_json: string | null;
  /** The last log lines when the replica last exited, for `slipway status`. */
  last_log: string | null;
}

export interface RunsTable {
  id: string;
  service_id: string | null;
  workflow: string;
  commit_sha: string | null;
  /** queued | running | succeeded | failed | cancelled */
  status: string;
  created_at: string;
  finished_at: string | null;
}

/** The append-only timeline: deploys, restarts, OOM kills, alerts, config changes, notes. */
export interface EventsTable {
  seq: Generated<number>;
  id: string;
  at: string;
  /** Dotted kind, e.g. `service.applied`, `secret.set`, `replica.oom_killed`. */
  kind: string;
  service: string | null;
  environment: string | null;
  /** Who caused it: a user name, or `slipway` for the platform itself. */
  actor: string | null;
  message: string;
  data_json: string | null;
}

export interface UsersTable {
  id: string;
  name: string;
  created_at: string;
  disabled: number;
}

export interface TokensTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 of the token, hex. The token itself is shown once and never stored. */
  hash: string;
  /** The first characters of the token (`slp_ab12`), so a user can tell tokens apart. */
  prefix: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface RoleBindingsTable {
  id: string;
  user_id: string;
  /** viewer | developer | deployer | admin */
  role: string;
  /** An environment name, or `*` for every environment. */
  environment: string;
  created_at: string;
}

export interface SecretsTable {
  id: string;
  /** A service name. */
  service: string;
  /** An environment name, or `*` for every environment of the service. */
  environment: string;
  name: string;
  /** AES-256-GCM sealed value: base64 of iv ‖ ciphertext ‖ tag, with a key id prefix. */
  sealed: string;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
}

/**
 * Every value a secret has been set to, the current one included, sealed like the secret. Kept
 * after the secret changes or goes, so that what replicas printed of an old value stays masked.
 */
export interface SecretHistoryTable {
  id: string;
  /** A service name. */
  service: string;
  /** An environment name, or `*` for every environment of the service. */
  environment: string;
  name: string;
  /** Sealed with the same context as the secret (service/environment/name). */
  sealed: string;
  set_at: string;
}

/** Who did what, when, from where, and how it ended: one row per mutating API request. */
export interface AuditTable {
  seq: Generated<number>;
  id: string;
  at: string;
  actor: string | null;
  /** `METHOD /route/pattern`, e.g. `PUT /api/v1/services/:service/secrets/:name`. */
  action: string;
  /** The concrete path requested (ids filled in; never a query string with secrets). */
  target: string;
  ip: string | null;
  request_id: string | null;
  /** HTTP status of the response. */
  status: number;
  /** success | denied | error */
  result: string;
}

export type Service = Selectable<ServicesTable>;
export type NewService = Insertable<ServicesTable>;
export type ServiceUpdate = Updateable<ServicesTable>;
export type Environment = Selectable<EnvironmentsTable>;
export type Release = Selectable<ReleasesTable>;
export type Deployment = Selectable<DeploymentsTable>;
export type Replica = Selectable<ReplicasTable>;
export type Run = Selectable<RunsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEventRow = Insertable<EventsTable>;
export type User = Selectable<UsersTable>;
export type Token = Selectable<TokensTable>;
export type RoleBinding = Selectable<RoleBindingsTable>;
export type SecretRow = Selectable<SecretsTable>;
export type AuditRow = Selectable<AuditTable>;
export type NewAuditRow = Insertable<AuditTable>;
