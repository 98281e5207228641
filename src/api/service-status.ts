import { z } from "zod";
import { defaultHost } from "../deploy/index.js";
import { effectiveSpec, type ServiceKind, type ServiceSpec } from "../spec/index.js";
import type { ServiceWithEnvironments } from "../store/index.js";
import type { ApiContext } from "./context.js";

const replicaSchema = z.object({
  id: z.string(),
  state: z.string(),
  ready: z.boolean(),
  release: z.number().int().nullable(),
  port: z.number().int().nullable(),
  pid: z.number().int().nullable(),
  restarts: z.number().int(),
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  /** What the platform said of the last exit it caused: the probe that failed, and how. */
  exitMessage: z.string().optional(),
  oom: z.object({ limitBytes: z.number(), peakBytes: z.number(), enforcedBy: z.string() }).optional(),
  nextRestartAt: z.string().optional(),
  backoffSeconds: z.number().optional(),
  /** Running but not ready: the readiness probe's last failure, e.g. "GET /healthz: HTTP 500". */
  readinessFailure: z.string().optional(),
  startedAt: z.string().nullable(),
  lastLog: z.array(z.string()),
});

export const serviceStatusSchema = z.object({
  service: z.string(),
  environments: z.array(
    z.object({
      name: z.string(),
      approvalRequired: z.boolean(),
      /** Where its live release answers; null for a worker, which serves no requests. */
      url: z.string().nullable(),
      /** The live release's kind; absent before a release. */
      kind: z.enum(["web", "worker"]).optional(),
      desiredReplicas: z.number().int().nullable(),
      release: z.object({ id: z.string(), version: z.number().int(), deployedAt: z.string() }).nullable(),
      /** A canary deploy in progress: the new release and its share of requests. */
      canary: z.object({ release: z.number().int(), weight: z.number() }).optional(),
      replicas: z.array(replicaSchema),
    }),
  ),
});

export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

function parseLastLog(json: string | null): string[] {
  try {
    return json ? (JSON.parse(json) as string[]) : [];
  } catch {
    return [];
  }
}

/**
 * Per environment: the live release, how many replicas it should have, and each replica as the
 * supervisor sees it now (ready, restarts, CrashLoopBackOff with its next restart, OOM details).
 */
export async function serviceStatus(
  ctx: ApiContext,
  service: ServiceWithEnvironments,
): Promise<ServiceStatus> {
  const db = ctx.store.db;
  const routerUrl = ctx.run.routerUrl();
  const environments = [];
  for (const env of service.environments) {
    const live = await ctx.run.controller.records.liveRelease(env.id);
    const deployedAt = live
      ? await db
          .selectFrom("deployments")
          .select("finished_at")
          .where("environment_id", "=", env.id)
          .where("release_id", "=", live.id)
          .where("status", "=", "succeeded")
          .orderBy("created_at", "desc")
          .executeTakeFirst()
      : undefined;
    const rows = await db
      .selectFrom("replicas")
      .leftJoin("releases", "releases.id", "replicas.release_id")
      .selectAll("replicas")
      .select("releases.version as version")
      .where("replicas.environment_id", "=", env.id)
      .where("replicas.state", "!=", "Exited")
      .orderBy("replicas.started_at")
      .execute();
    const supervised = new Map(ctx.run.controller.replicasOf(env.id).map((r) => [r.id, r]));
    let desired: number | null = null;
    let kind: ServiceKind | undefined;
    if (live) {
      const effective = effectiveSpec(JSON.parse(live.spec_json) as ServiceSpec, env.name);
      desired = env.replicas_override ?? effective?.replicas ?? effective?.scale?.min ?? 1;
      kind = effective?.kind === "worker" ? "worker" : "web";
    }
    const canary = ctx.run.controller.canaryOf(env.id);
    environments.push({
      name: env.name,
      ...(canary ? { canary } : {}),
      approvalRequired: env.approval_required === 1,
      ...(kind ? { kind } : {}),
      url:
        routerUrl && kind !== "worker"
          ? routerUrl.replace("127.0.0.1", defaultHost(service.name, env.name))
          : null,
      desiredReplicas: desired,
      release: live
        ? { id: live.id, version: live.version, deployedAt: deployedAt?.finished_at ?? live.created_at }
        : null,
      replicas: rows.map((r) => {
        const live = supervised.get(r.id);
        const status = live?.supervisor.status();
        const oom = status?.lastExit?.oom;
        return {
          id: r.id,
          state: status?.phase ?? r.state,
          ready: status?.ready ?? false,
          release: r.version === null ? null : Number(r.version),
          port: status?.handle?.port ?? r.port,
          pid: status?.handle?.pid ?? r.pid,
          restarts: status?.restarts ?? r.restarts,
          exitCode: status?.lastExit?.code ?? r.exit_code,
          reason: status?.lastExit?.reason ?? r.reason,
          ...(status?.lastExit?.message && live ? { exitMessage: live.mask(status.lastExit.message) } : {}),
          ...(oom ? { oom } : {}),
          ...(status?.nextRestartAt ? { nextRestartAt: status.nextRestartAt } : {}),
          ...(status?.backoffMs !== undefined ? { backoffSeconds: Math.round(status.backoffMs / 1000) } : {}),
          // A command probe's message quotes its output, which can hold the replica's secrets.
          ...(status?.readinessFailure && live
            ? { readinessFailure: live.mask(status.readinessFailure) }
            : {}),
          startedAt: r.started_at,
          // The live replica's copy is masked of its secrets; so is the stored one.
          lastLog: live && live.lastLog.length > 0 ? live.lastLog : parseLastLog(r.last_log),
        };
      }),
    });
  }
  return { service: service.name, environments };
}
