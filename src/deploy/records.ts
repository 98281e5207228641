import type { Kysely } from "kysely";
import type { Database, Deployment, Environment, Release, Replica } from "../store/index.js";
import { newId, nowIso } from "../store/index.js";

/** Store access of the deploy controller, in one place so the controller reads as steps. */
export class DeployRecords {
  constructor(private readonly db: Kysely<Database>) {}

  async environment(
    service: string,
    environment: string,
  ): Promise<(Environment & { service_name: string }) | undefined> {
    return this.db
      .selectFrom("environments")
      .innerJoin("services", "services.id", "environments.service_id")
      .selectAll("environments")
      .select("services.name as service_name")
      .where("services.name", "=", service)
      .where("environments.name", "=", environment)
      .executeTakeFirst();
  }

  async environmentById(id: string): Promise<(Environment & { service_name: string }) | undefined> {
    return this.db
      .selectFrom("environments")
      .innerJoin("services", "services.id", "environments.service_id")
      .selectAll("environments")
      .select("services.name as service_name")
      .where("environments.id", "=", id)
      .executeTakeFirst();
  }

  async release(id: string): Promise<Release | undefined> {
    return this.db.selectFrom("releases").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async releaseByVersion(serviceId: string, version: number): Promise<Release | undefined> {
    return this.db
      .selectFrom("releases")
      .selectAll()
      .where("service_id", "=", serviceId)
      .where("version", "=", version)
      .executeTakeFirst();
  }

  async newestReadyRelease(serviceId: string): Promise<Release | undefined> {
    return this.db
      .selectFrom("releases")
      .selectAll()
      .where("service_id", "=", serviceId)
      .where("status", "=", "ready")
      .orderBy("version", "desc")
      .executeTakeFirst();
  }

  /**
   * The release the environment runs: that of the newest successful deployment, or of a failed
   * first deployment whose replicas were kept (there was nothing to roll back to).
   */
  async liveRelease(environmentId: string): Promise<Release | undefined> {
    return this.db
      .selectFrom("deployments")
      .innerJoin("releases", "releases.id", "deployments.release_id")
      .selectAll("releases")
      .where("deployments.environment_id", "=", environmentId)
      .where((eb) =>
        eb.or([
          eb("deployments.status", "=", "succeeded"),
          eb.and([
            eb("deployments.status", "=", "failed"),
            eb("deployments.plan_json", "like", '%"keptReplicas":true%'),
          ]),
        ]),
      )
      .orderBy("deployments.created_at", "desc")
      .orderBy("deployments.id", "desc")
      .executeTakeFirst();
  }

  /** Successful deployments, newest first: the history `rollback` walks back through. */
  async successfulReleases(environmentId: string): Promise<Release[]> {
    return this.db
      .selectFrom("deployments")
      .innerJoin("releases", "releases.id", "deployments.release_id")
      .selectAll("releases")
      .where("deployments.environment_id", "=", environmentId)
      .where("deployments.status", "=", "succeeded")
      .orderBy("deployments.created_at", "desc")
      .execute();
  }

  async createDeployment(input: {
    releaseId: string;
    environmentId: string;
    strategy: string;
    previousReleaseId: string | null;
    actor: string | null;
    kind: string;
    /** `awaiting_approval` for a deploy that waits for a deployer's approval. */
    status?: "in_progress" | "awaiting_approval";
  }): Promise<Deployment> {
    const row: Deployment = {
      id: newId("dep"),
      release_id: input.releaseId,
      environment_id: input.environmentId,
      strategy: input.strategy,
      status: input.status ?? "in_progress",
      reason: null,
      plan_json: JSON.stringify({ kind: input.kind }),
      created_by: input.actor,
      created_at: nowIso(),
      finished_at: null,
      previous_release_id: input.previousReleaseId,
    };
    await this.db.insertInto("deployments").values(row).execute();
    return row;
  }

  async deploymentInProgress(environmentId: string): Promise<Deployment | undefined> {
    return this.db
      .selectFrom("deployments")
      .selectAll()
      .where("environment_id", "=", environmentId)
      .where("status", "in", ["pending", "in_progress"])
      .executeTakeFirst();
  }

  async unfinishedDeployments(): Promise<Deployment[]> {
    return this.db
      .selectFrom("deployments")
      .selectAll()
      .where("status", "in", ["pending", "in_progress"])
      .execute();
  }

  async savePlan(deploymentId: string, plan: unknown): Promise<void> {
    await this.db
      .updateTable("deployments")
      .set({ plan_json: JSON.stringify(plan) })
      .where("id", "=", deploymentId)
      .execute();
  }

  /** Moves a deployment from one status to another; false when it was no longer in `from`. */
  async moveDeployment(
    id: string,
    from: string,
    to: "in_progress" | "rejected",
    reason: string | null = null,
  ): Promise<boolean> {
    // An approved deployment counts from its approval: what is live is the newest deployment to
    // succeed, by this time, and a request approved after a later deploy must come after it.
    const result = await this.db
      .updateTable("deployments")
      .set({
        status: to,
        reason,
        ...(to === "rejected" ? { finished_at: nowIso() } : { created_at: nowIso() }),
      })
      .where("id", "=", id)
      .where("status", "=", from)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async deployment(id: string): Promise<Deployment | undefined> {
    return this.db.selectFrom("deployments").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async finishDeployment(id: string, status: "succeeded" | "failed", reason: string | null): Promise<void> {
    await this.db
      .updateTable("deployments")
      .set({ status, reason, finished_at: nowIso() })
      .where("id", "=", id)
      .execute();
  }

  async setReplicasOverride(environmentId: string, replicas: number | null): Promise<void> {
    await this.db
      .updateTable("environments")
      .set({ replicas_override: replicas })
      .where("id", "=", environmentId)
      .execute();
  }

  async insertReplica(row: Replica): Promise<void> {
    await this.db.insertInto("replicas").values(row).execute();
  }

  async updateReplica(id: string, changes: Partial<Omit<Replica, "id">>): Promise<void> {
    await this.db
      .updateTable("replicas")
      .set({ ...changes, updated_at: nowIso() })
      .where("id", "=", id)
      .execute();
  }

  /** Replicas the platform still answers for (everything not ended). */
  async activeReplicas(): Promise<Replica[]> {
    return this.db.selectFrom("replicas").selectAll().where("state", "!=", "Exited").execute();
  }

  /** Replicas that should be running: any other the runtime still has is an orphan. */
  async runningReplicaIds(): Promise<string[]> {
    const rows = await this.db.selectFrom("replicas").select("id").where("state", "!=", "Exited").execute();
    return rows.map((r) => r.id);
  }
}
