import type { FastifyReply, FastifyRequest } from "fastify";
import type { Store } from "../store/index.js";
import { recordAudit } from "../store/index.js";
import { pathOf } from "./problem.js";

const mutatingMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Writes one audit row per mutating request before its response leaves, so a client that saw
 * success can rely on the audit log having it. Denied and failed attempts are recorded too.
 */
export function auditHook(store: Store) {
  return async (request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown> => {
    if (!mutatingMethods.has(request.method)) {
      return payload;
    }
    const route = request.routeOptions.url ?? "<no route>";
    try {
      await recordAudit(store.db, {
        actor: request.principal?.userName ?? null,
        action: `${request.method} ${route}`,
        target: auditTarget(request),
        ip: request.ip ?? null,
        requestId: request.id,
        status: reply.statusCode,
      });
    } catch (error) {
      request.log.error({ err: error }, "could not write the audit record");
    }
    return payload;
  };
}

/**
 * The request's path, and its `environment` when the query names one (a DELETE of a secret says
 * which environment only there). Nothing else of the query: it may carry what is never logged.
 */
function auditTarget(request: FastifyRequest): string {
  const path = pathOf(request.url);
  const environment = (request.query as Record<string, unknown> | undefined)?.environment;
  return typeof environment === "string" && /^[a-z][a-z0-9-]{0,62}$/.test(environment)
    ? `${path}?environment=${environment}`
    : path;
}
