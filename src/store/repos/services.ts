import type { Kysely } from "kysely";
import { newId, nowIso } from "../ids.js";
import type { Database, Environment, Service } from "../schema.js";
import { deleteSecretHistory } from "../secrets.js";
import { inTransaction } from "./in-transaction.js";

/** An environment as the spec declares it, in promotion order. */
export interface DeclaredEnvironment {
  name: string;
  approvalRequired: boolean;
}

export interface ApplyServiceInput {
  name: string;
  specJson: string;
  source: string;
  environments: DeclaredEnvironment[];
}

export interface ServiceWithEnvironments extends Service {
  environments: Environment[];
}

/** Position given to an environment the spec no longer declares but whose deploy history we keep. */
export const retiredPosition = -1;

/**
 * Creates or updates a service and its environments in one transaction, so a failed apply
 * leaves the previous spec whole.
 */
export async function applyService(
  db: Kysely<Database>,
  input: ApplyServiceInput,
): Promise<{ service: ServiceWithEnvironments; created: boolean }> {
  return inTransaction(db, async (tx) => {
    const now = nowIso();
    const existing = await tx
      .selectFrom("services")
      .selectAll()
      .where("name", "=", input.name)
      .executeTakeFirst();
    let service: Service;
    if (existing) {
      service = { ...existing, spec_json: input.specJson, spec_source: input.source, updated_at: now };
      await tx
        .updateTable("services")
        .set({ spec_json: input.specJson, spec_source: input.source, updated_at: now })
        .where("id", "=", existing.id)
        .execute();
    } else {
      service = {
        id: newId("svc"),
        name: input.name,
        spec_json: input.specJson,
        spec_source: input.source,
        created_at: now,
        updated_at: now,
      };
      await tx.insertInto("services").values(service).execute();
    }
    await syncEnvironments(tx, service.id, input.environments, now);
    const environments = await environmentsOf(tx, service.id);
    return { service: { ...service, environments }, created: !existing };
  });
}

async function syncEnvironments(
  tx: Kysely<Database>,
  serviceId: string,
  declared: DeclaredEnvironment[],
  now: string,
): Promise<void> {
  const current = await tx
    .selectFrom("environments")
    .selectAll()
    .where("service_id", "=", serviceId)
    .execute();
  for (const [position, env] of declared.entries()) {
    const row = current.find((c) => c.name === env.name);
    const approval = env.approvalRequired ? 1 : 0;
    if (row) {
      await tx
        .updateTable("environments")
        .set({ position, approval_required: approval })
        .where("id", "=", row.id)
        .execute();
    } else {
      await tx
        .insertInto("environments")
        .values({
          id: newId("env"),
          service_id: serviceId,
          name: env.name,
          position,
          approval_required: approval,
          created_at: now,
        })
        .execute();
    }
  }
  for (const row of current.filter((c) => !declared.some((d) => d.name === c.name))) {
    const deployed = await tx
      .selectFrom("deployments")
      .select("id")
      .where("environment_id", "=", row.id)
      .executeTakeFirst();
    if (deployed) {
      // Keep the deploy history of an environment the spec dropped; it just leaves the promotion order.
      await tx
        .updateTable("environments")
        .set({ position: retiredPosition })
        .where("id", "=", row.id)
        .execute();
    } else {
      await tx.deleteFrom("environments").where("id", "=", row.id).execute();
    }
  }
}

async function environmentsOf(db: Kysely<Database>, serviceId: string): Promise<Environment[]> {
  return db
    .selectFrom("environments")
    .selectAll()
    .where("service_id", "=", serviceId)
    .where("position", ">=", 0)
    .orderBy("position")
    .execute();
}

export async function findService(
  db: Kysely<Database>,
  name: string,
): Promise<ServiceWithEnvironments | undefined> {
  const service = await db.selectFrom("services").selectAll().where("name", "=", name).executeTakeFirst();
  if (!service) {
    return undefined;
  }
  return { ...service, environments: await environmentsOf(db, service.id) };
}

export async function listServices(db: Kysely<Database>): Promise<ServiceWithEnvironments[]> {
  const services = await db.selectFrom("services").selectAll().orderBy("name").execute();
  const environments = await db
    .selectFrom("environments")
    .selectAll()
    .where("position", ">=", 0)
    .orderBy("position")
    .execute();
  return services.map((s) => ({ ...s, environments: environments.filter((e) => e.service_id === s.id) }));
}

/**
 * Deletes a service and, through foreign keys, its environments, releases and deployments; and
 * its secrets with the history of their values.
 */
export async function deleteService(db: Kysely<Database>, name: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const result = await tx.deleteFrom("services").where("name", "=", name).executeTakeFirst();
    if (Number(result.numDeletedRows) === 0) {
      return false;
    }
    // Secrets are keyed by the service's name, not its row: a new service of the same name must
    // not inherit them.
    await tx.deleteFrom("secrets").where("service", "=", name).execute();
    await deleteSecretHistory(tx, name);
    return true;
  });
}
