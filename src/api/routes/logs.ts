import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { replicaLogDir } from "../../deploy/index.js";
import { followLogRecords, type LogRecord, readLogRecords } from "../../runtime/index.js";
import { type SecretMask, secretMasker, secretValuesToMask } from "../../store/index.js";
import { principalOf } from "../auth/principal.js";
import { stillAllowed } from "../auth/still-allowed.js";
import type { ApiContext } from "../context.js";
import { HttpProblem } from "../problem.js";
import { authorize } from "../rbac/index.js";
import { authErrors, dnsLabel, problemSchema } from "../schemas/common.js";
import { requireService } from "../service-spec.js";
import { openSse } from "../sse.js";
import { timeBound } from "../time-bound.js";

const logLineSchema = z
  .object({
    at: z.string(),
    stream: z.enum(["stdout", "stderr"]),
    replica: z.string(),
    release: z.string(),
    line: z.string(),
    truncated: z.boolean().optional(),
  })
  .meta({ id: "LogLine" });

type LogLine = z.infer<typeof logLineSchema>;

interface LogSource {
  replica: string;
  release: string;
  dir: string;
}

function toLine(source: LogSource, record: LogRecord, mask: SecretMask): LogLine {
  return {
    at: record.at,
    stream: record.stream,
    replica: source.replica,
    release: source.release,
    line: mask(record.line, record),
    ...(record.truncated ? { truncated: true } : {}),
  };
}

export function registerLogRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/services/:name/logs",
    {
      schema: {
        tags: ["logs"],
        summary: "Replica output with timestamps; follow=true streams new lines as server-sent events.",
        params: z.object({ name: dnsLabel }),
        querystring: z.strictObject({
          environment: dnsLabel.optional().describe("Default: the service's first environment."),
          since: z
            .string()
            .max(40)
            .optional()
            .describe('RFC 3339 time or a duration back from now, e.g. "10m".'),
          grep: z
            .string()
            .min(1)
            .max(200)
            .optional()
            .describe("Only lines containing this text, as they are shown: secret values read `***`."),
          replica: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(10_000).default(500),
          follow: z.enum(["true", "false"]).optional(),
        }),
        response: {
          200: z.object({ lines: z.array(logLineSchema) }),
          400: problemSchema,
          404: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      authorize(principalOf(request).bindings, "read");
      const service = await requireService(ctx, request.params.name);
      const env = request.query.environment
        ? service.environments.find((e) => e.name === request.query.environment)
        : service.environments[0];
      if (!env) {
        throw new HttpProblem(
          404,
          "environment-not-found",
          `Service ${service.name} has no environment "${request.query.environment}".`,
        );
      }
      const since = timeBound(request.query.since, "since", new Date());
      // Replicas see their secrets in clear; whatever they print of them is masked here. That
      // includes the values a secret had before it was changed or removed: a replica that still
      // runs, or an old line, shows them. The stream learns of values set while it runs.
      const masking = secretMasking(ctx, service.name, env.name);
      let mask = await masking.refresh();
      // The grep sees what the reader sees: matching the stored text would tell a secret apart
      // from a guess one character at a time, and `***` would match nothing.
      const grep = request.query.grep;
      const match =
        grep === undefined ? {} : { match: (record: LogRecord) => mask(record.line, record).includes(grep) };
      let replicas = ctx.store.db
        .selectFrom("replicas")
        .innerJoin("releases", "releases.id", "replicas.release_id")
        .select(["replicas.id as id", "releases.version as version", "replicas.state as state"])
        .where("replicas.environment_id", "=", env.id);
      if (request.query.replica) {
        replicas = replicas.where("replicas.id", "=", request.query.replica);
      }
      const rows = await replicas.execute();
      if (request.query.replica && rows.length === 0) {
        throw new HttpProblem(
          404,
          "replica-not-found",
          `No replica ${request.query.replica} in ${service.name}/${env.name}.`,
        );
      }
      const sources: LogSource[] = rows.map((r) => ({
        replica: r.id,
        release: `v${r.version}`,
        dir: replicaLogDir(ctx.run.home, service.name, env.name, r.id),
      }));
      const query = {
        ...(since ? { since: new Date(since) } : {}),
        ...match,
        limit: request.query.limit,
      };
      // Replicas found later are read from here on: what they wrote before they were found counts.
      const readAt = new Date();
      const lines: LogLine[] = [];
      for (const source of sources) {
        try {
          for await (const record of readLogRecords(source.dir, query)) {
            lines.push(toLine(source, record, mask));
          }
        } catch {
          // A replica that never wrote a line has no log directory yet.
        }
      }
      lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
      const recent = lines.slice(-request.query.limit);
      if (request.query.follow !== "true") {
        return { lines: recent };
      }
      const sse = openSse(request, reply, { stillAllowed: stillAllowed(ctx.store, request, "read") });
      for (const line of recent) {
        sse.send("log", line);
      }
      // Follow every replica of the environment, including ones that start while we follow.
      const following = new Set<string>();
      const follow = (source: LogSource, found: "at-start" | "later") => {
        following.add(source.replica);
        void (async () => {
          try {
            for await (const record of followLogRecords(source.dir, {
              signal: sse.signal,
              pollIntervalMs: 200,
              ...match,
              // A replica found by the discovery below started (or first wrote) after the
              // stream's first read: its boot lines, written before it was found, are new too.
              ...(found === "at-start" ? { limit: 0 } : { since: readAt }),
            })) {
              sse.send("log", toLine(source, record, mask));
            }
          } catch {
            following.delete(source.replica);
          }
        })();
      };
      for (const source of sources) {
        follow(source, "at-start");
      }
      const discover = async () => {
        // Before following a new replica: it may run with a value set after the stream began.
        mask = await masking.refresh().catch(() => mask);
        const current = await ctx.store.db
          .selectFrom("replicas")
          .innerJoin("releases", "releases.id", "replicas.release_id")
          .select(["replicas.id as id", "releases.version as version"])
          .where("replicas.environment_id", "=", env.id)
          .where("replicas.state", "!=", "Exited")
          .execute()
          .catch(() => []);
        for (const r of current) {
          if (!following.has(r.id) && (!request.query.replica || r.id === request.query.replica)) {
            follow(
              {
                replica: r.id,
                release: `v${r.version}`,
                dir: replicaLogDir(ctx.run.home, service.name, env.name, r.id),
              },
              "later",
            );
          }
        }
      };
      // A replica is found the moment it starts (its row exists before its start event), so
      // one that lives for less than a second is followed too; the poll is for other processes
      // sharing PostgreSQL, whose events do not reach this one's bus.
      const poll = setInterval(discover, 1000);
      const unsubscribe = ctx.bus.subscribe((event) => {
        if (
          (event.kind === "replica.started" || event.kind === "replica.restarted") &&
          event.service === service.name &&
          event.environment === env.name
        ) {
          void discover();
        }
      });
      sse.signal.addEventListener("abort", () => {
        clearInterval(poll);
        unsubscribe();
      });
      return reply;
    },
  );
}

/**
 * A mask of every value the service's secrets have had in the environment, old ones included.
 * `refresh` reads the values again and returns the mask; it only grows.
 */
function secretMasking(ctx: ApiContext, service: string, environment: string) {
  const values = new Set<string>();
  let mask = secretMasker(values);
  return {
    async refresh(): Promise<SecretMask> {
      const before = values.size;
      for (const value of await secretValuesToMask(ctx.store.db, ctx.secretBox, service, environment)) {
        values.add(value);
      }
      if (values.size !== before) {
        mask = secretMasker(values);
      }
      return mask;
    },
  };
}
