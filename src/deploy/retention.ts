import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { Kysely } from "kysely";
import type { Database } from "../store/index.js";
import { releaseDir, replicaLogDir } from "./paths.js";

/** How much history the data directory keeps; everything else is deleted from disk. */
export interface RetentionPolicy {
  /** Built releases kept per service besides the live ones (rollback targets). Default 10. */
  releasesPerService: number;
  /** Log directories of ended replicas kept per environment. Default 20. */
  endedReplicaLogsPerEnvironment: number;
}

export const defaultRetention: RetentionPolicy = {
  releasesPerService: 10,
  endedReplicaLogsPerEnvironment: 20,
};

/** What one pass removed, for the timeline. */
export interface RetentionResult {
  prunedReleases: { service: string; version: number }[];
  removedReplicaLogs: number;
}

/**
 * Keeps the data directory from growing with every deploy, like the kubelet's garbage collection
 * of dead containers and Heroku's release pruning: the newest releases (and every live one) stay
 * built for instant rollbacks, older ones lose their files and are marked `pruned`; only the
 * newest ended replicas keep their logs. Records stay in the store; only files go.
 */
export async function applyRetention(
  db: Kysely<Database>,
  home: string,
  policy = defaultRetention,
): Promise<RetentionResult> {
  const result: RetentionResult = { prunedReleases: [], removedReplicaLogs: 0 };
  const services = await db.selectFrom("services").select(["id", "name"]).execute();
  for (const service of services) {
    // Per environment: what runs now and what `slipway rollback` would go back to.
    const history = await db
      .selectFrom("deployments")
      .innerJoin("environments", "environments.id", "deployments.environment_id")
      .select([
        "deployments.release_id as release_id",
        "deployments.environment_id as environment_id",
        "deployments.status as status",
      ])
      .where("environments.service_id", "=", service.id)
      .where("deployments.status", "in", ["succeeded", "in_progress", "pending", "awaiting_approval"])
      .orderBy("deployments.created_at", "desc")
      .execute();
    const live: { release_id: string }[] = [];
    const perEnvironment = new Map<string, Set<string>>();
    for (const d of history) {
      const seen = perEnvironment.get(d.environment_id) ?? new Set<string>();
      if (d.status !== "succeeded" || seen.size < 2) {
        seen.add(d.release_id);
        live.push(d);
      }
      perEnvironment.set(d.environment_id, seen);
    }
    // Releases with replicas still running (a kept first deploy in CrashLoopBackOff) stay too.
    const running = await db
      .selectFrom("replicas")
      .innerJoin("releases", "releases.id", "replicas.release_id")
      .select("replicas.release_id")
      .where("releases.service_id", "=", service.id)
      .where("replicas.state", "!=", "Exited")
      .execute();
    const keep = new Set([...live.map((d) => d.release_id), ...running.map((r) => r.release_id)]);
    const releases = await db
      .selectFrom("releases")
      .select(["id", "version", "status"])
      .where("service_id", "=", service.id)
      .where("status", "in", ["ready", "failed"])
      .orderBy("version", "desc")
      .execute();
    let kept = 0;
    for (const release of releases) {
      if (keep.has(release.id)) {
        continue;
      }
      if (kept < policy.releasesPerService) {
        kept++;
        continue;
      }
      await rm(releaseDir(home, service.name, release.version), { recursive: true, force: true });
      await db
        .updateTable("releases")
        .set({ status: "pruned", artifact: null })
        .where("id", "=", release.id)
        .execute();
      result.prunedReleases.push({ service: service.name, version: release.version });
    }
  }
  const environments = await db
    .selectFrom("environments")
    .innerJoin("services", "services.id", "environments.service_id")
    .select(["environments.id as id", "environments.name as name", "services.name as service"])
    .execute();
  for (const env of environments) {
    const ended = await db
      .selectFrom("replicas")
      .select("id")
      .where("environment_id", "=", env.id)
      .where("state", "=", "Exited")
      .orderBy("updated_at", "desc")
      .offset(policy.endedReplicaLogsPerEnvironment)
      .limit(10_000)
      .execute();
    for (const replica of ended) {
      const dir = replicaLogDir(home, env.service, env.name, replica.id);
      if (existsSync(dir)) {
        await rm(dir, { recursive: true, force: true });
        result.removedReplicaLogs++;
      }
    }
  }
  return result;
}
