import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type EventFilter, type EventRecord, listAudit, listEvents } from "../../store/index.js";
import { principalOf } from "../auth/principal.js";
import type { ApiContext } from "../context.js";
import { authorize } from "../rbac/index.js";
import { authErrors, problemSchema } from "../schemas/common.js";
import { eventFilterQuery, eventSchema, eventView } from "../schemas/events.js";
import { timeBound } from "../time-bound.js";

const auditEntrySchema = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string().nullable(),
    action: z.string(),
    target: z.string(),
    ip: z.string().nullable(),
    requestId: z.string().nullable(),
    status: z.number().int(),
    result: z.string(),
  })
  .meta({ id: "AuditEntry" });

const eventListQuery = eventFilterQuery.extend({
  keep: z
    .enum(["newest", "oldest"])
    .optional()
    .describe(
      "Which matching events `limit` keeps: the newest, or the oldest (for paging forward with `after`). " +
        "Default: the newest, but the oldest when `since` or `after` is given. The list is oldest first either way.",
    ),
});

/**
 * Whether more events match `filter` than the page holds: the one matching event just beyond the
 * page's far end (older than a page of the newest, newer than a page of the oldest) is looked up.
 */
async function truncated(ctx: ApiContext, filter: EventFilter, page: EventRecord[]): Promise<boolean> {
  if (page.length === 0 || page.length < (filter.limit ?? 0)) {
    return false;
  }
  const seqs = page.map((event) => Number(event.seq));
  const newest = filter.order === "desc";
  const [beyond] = await listEvents(ctx.store.db, { ...filter, limit: 1, order: newest ? "asc" : "desc" });
  if (beyond === undefined) {
    return false;
  }
  return newest ? Number(beyond.seq) < Math.min(...seqs) : Number(beyond.seq) > Math.max(...seqs);
}

export function registerEventRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/v1/events",
    {
      schema: {
        tags: ["events"],
        summary: "The timeline: deploys, restarts, config changes… newest last.",
        querystring: eventListQuery,
        response: {
          200: z.object({
            events: z.array(eventSchema),
            truncated: z
              .boolean()
              .describe("More events match than `limit` let through (see `keep` for which were kept)."),
          }),
          400: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      const q = request.query;
      const now = new Date();
      // With no cursor, the newest `limit` events are the useful ones; `since` or `after` used to
      // mean paging forward from there, so they keep the oldest unless asked otherwise.
      const keep = q.keep ?? (q.after === undefined && q.since === undefined ? "newest" : "oldest");
      const filter: EventFilter = {
        service: q.service,
        environment: q.environment,
        kind: q.kind,
        since: timeBound(q.since, "since", now),
        until: timeBound(q.until, "until", now),
        afterSeq: q.after,
        limit: q.limit,
        order: keep === "newest" ? "desc" : "asc",
      };
      const events = await listEvents(ctx.store.db, filter);
      events.sort((a, b) => Number(a.seq) - Number(b.seq));
      return { events: events.map(eventView), truncated: await truncated(ctx, filter, events) };
    },
  );

  api.get(
    "/api/v1/audit",
    {
      schema: {
        tags: ["events"],
        summary: "The audit log: every mutating request, who made it, from where, and how it ended (admin).",
        querystring: z.strictObject({
          actor: z.string().max(63).optional(),
          since: z.string().max(40).optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({ entries: z.array(auditEntrySchema) }),
          400: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "audit.read");
      const rows = await listAudit(ctx.store.db, {
        actor: request.query.actor,
        since: timeBound(request.query.since, "since", new Date()),
        limit: request.query.limit,
      });
      return {
        entries: rows.map((r) => ({
          seq: Number(r.seq),
          at: r.at,
          actor: r.actor,
          action: r.action,
          target: r.target,
          ip: r.ip,
          requestId: r.request_id,
          status: r.status,
          result: r.result,
        })),
      };
    },
  );
}
