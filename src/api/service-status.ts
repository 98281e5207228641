import { z } from "zod";
import type { ServiceWithEnvironments } from "../store/index.js";
import type { ApiContext } from "./context.js";

const replicaSchema = z.object({
  id: z.string(),
  state: z.string(),
  release: z.number().int().nullable(),
  restarts: z.number().int(),
  exitCode: z.number().int().nullable(),
  reason: z.string().nullable(),
  startedAt: z.string().nullable(),
});

export const serviceStatusSchema = z.object({
  service: z.string(),
  environments: z.array(
    z.object({
      name: z.string(),
      approvalRequired: z.boolean(),
      release: z.object({ id: z.string(), version: z.number().int(), deployedAt: z.string() }).nullable(),
      replicas: z.array(replicaSchema),
    }),
  ),
});

export type ServiceStatus = z.infer<typeof serviceStatusSchema>;

/** Per environment: the release of the last successful deployment and the replicas that still run. */
export async function serviceStatus(
  ctx: ApiContext,
  service: ServiceWithEnvironments,
): Promise<ServiceStatus> {
  const db = ctx.store.db;
  const environments = [];
  for (const env of service.environments) {
    const live = await db
      .selectFrom("deployments")
      .innerJoin("releases", "releases.id", "deployments.release_id")
      .select(["releases.id as id", "releases.version as version", "deployments.finished_at as finished_at"])
      .where("deployments.environment_id", "=", env.id)
      .where("deployments.status", "=", "succeeded")
      .orderBy("deployments.created_at", "desc")
      .executeTakeFirst();
    const replicas = await db
      .selectFrom("replicas")
      .leftJoin("releases", "releases.id", "replicas.release_id")
      .selectAll("replicas")
      .select("releases.version as version")
      .where("replicas.environment_id", "=", env.id)
      .where("replicas.state", "!=", "Exited")
      .orderBy("replicas.started_at")
      .execute();
    environments.push({
      name: env.name,
      approvalRequired: env.approval_required === 1,
      release: live
        ? { id: live.id, version: Number(live.version), deployedAt: live.finished_at ?? "" }
        : null,
      replicas: replicas.map((r) => ({
        id: r.id,
        state: r.state,
        release: r.version === null ? null : Number(r.version),
        restarts: r.restarts,
        exitCode: r.exit_code,
        reason: r.reason,
        startedAt: r.started_at,
      })),
    });
  }
  return { service: service.name, environments };
}
