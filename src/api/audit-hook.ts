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
        target: pathOf(request.url),
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
