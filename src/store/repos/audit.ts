import type { Kysely } from "kysely";
import { newId, nowIso } from "../ids.js";
import type { AuditRow, Database } from "../schema.js";

export interface AuditEntryInput {
  actor: string | null;
  action: string;
  target: string;
  ip: string | null;
  requestId: string | null;
  status: number;
}

/** Classifies a response for the audit log: what a reviewer filters on first. */
export function auditResult(status: number): "success" | "denied" | "error" {
  if (status < 400) {
    return "success";
  }
  return status === 401 || status === 403 ? "denied" : "error";
}

export async function recordAudit(db: Kysely<Database>, entry: AuditEntryInput): Promise<void> {
  await db
    .insertInto("audit")
    .values({
      id: newId("aud"),
      at: nowIso(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      ip: entry.ip,
      request_id: entry.requestId,
      status: entry.status,
      result: auditResult(entry.status),
    })
    .execute();
}

export interface AuditFilter {
  actor?: string;
  since?: string;
  limit?: number;
}

export async function listAudit(db: Kysely<Database>, filter: AuditFilter): Promise<AuditRow[]> {
  let query = db.selectFrom("audit").selectAll().orderBy("seq", "desc");
  if (filter.actor !== undefined) {
    query = query.where("actor", "=", filter.actor);
  }
  if (filter.since !== undefined) {
    query = query.where("at", ">=", filter.since);
  }
  return query.limit(Math.min(filter.limit ?? 100, 1000)).execute();
}
