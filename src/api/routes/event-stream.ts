import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { listEvents } from "../../store/index.js";
import { principalOf } from "../auth/principal.js";
import { stillAllowed } from "../auth/still-allowed.js";
import type { ApiContext } from "../context.js";
import { authorize } from "../rbac/index.js";
import { authErrors, dnsLabel } from "../schemas/common.js";
import { eventKind, eventView } from "../schemas/events.js";
import { openSse } from "../sse.js";

/** Picks up events written by other processes sharing the database; local ones arrive at once. */
const pollIntervalMs = 2000;

export interface EventStreamOptions {
  pollIntervalMs?: number;
  heartbeatIntervalMs?: number;
}

async function latestSeq(ctx: ApiContext): Promise<number> {
  const row = await ctx.store.db
    .selectFrom("events")
    .select((eb) => eb.fn.max("seq").as("seq"))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

function cursorFrom(
  lastEventId: string | string[] | undefined,
  after: number | undefined,
): number | undefined {
  const header = Array.isArray(lastEventId) ? lastEventId[0] : lastEventId;
  if (header !== undefined && /^\d{1,15}$/.test(header)) {
    return Number(header);
  }
  return after;
}

export function registerEventStreamRoute(
  app: FastifyInstance,
  ctx: ApiContext,
  options: EventStreamOptions = {},
): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/events/stream",
    {
      schema: {
        tags: ["events"],
        summary: "New events as server-sent events (`id` is the sequence number; Last-Event-ID resumes).",
        querystring: z.strictObject({
          service: dnsLabel.optional(),
          environment: dnsLabel.optional(),
          kind: eventKind.optional(),
          after: z.coerce.number().int().min(0).optional(),
        }),
        response: { 200: z.string().describe("text/event-stream"), ...authErrors },
      },
    },
    async (request, reply) => {
      authorize(principalOf(request).bindings, "read");
      const { service, environment, kind, after } = request.query;
      let cursor = cursorFrom(request.headers["last-event-id"], after) ?? (await latestSeq(ctx));

      const sse = openSse(request, reply, {
        stillAllowed: stillAllowed(ctx.store, request, "read"),
        ...(options.heartbeatIntervalMs === undefined ? {} : { heartbeatMs: options.heartbeatIntervalMs }),
      });

      let pumping = false;
      let again = false;
      const pump = async (): Promise<void> => {
        if (pumping) {
          again = true;
          return;
        }
        pumping = true;
        try {
          do {
            again = false;
            const events = await listEvents(ctx.store.db, {
              service,
              environment,
              kind,
              afterSeq: cursor,
              limit: 500,
              order: "asc",
            });
            for (const event of events) {
              sse.send(event.kind, eventView(event), event.seq);
              cursor = Math.max(cursor, Number(event.seq));
            }
            // A client this far behind is let go; it reconnects with Last-Event-ID and loses nothing.
            if (sse.congested) {
              sse.end();
              return;
            }
            again ||= events.length === 500;
          } while (again && !sse.closed);
        } catch (error) {
          request.log.warn({ err: error }, "event stream: could not read events");
        } finally {
          pumping = false;
        }
      };

      const unsubscribe = ctx.bus.subscribe(() => void pump());
      const poll = setInterval(() => void pump(), options.pollIntervalMs ?? pollIntervalMs);
      sse.signal.addEventListener("abort", () => {
        unsubscribe();
        clearInterval(poll);
      });
      await pump();
    },
  );
}
