import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { serviceSpecJsonSchema } from "../../spec/index.js";
import type { ApiContext } from "../context.js";
import { problemDocument, sendProblem } from "../problem.js";

/** Whether the platform takes traffic: false while starting and once shutdown has begun. */
export interface Readiness {
  ready: boolean;
}

export function registerMetaRoutes(app: FastifyInstance, ctx: ApiContext, readiness: Readiness): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/healthz",
    {
      config: { public: true },
      schema: {
        tags: ["platform"],
        summary: "Liveness: the process answers.",
        response: { 200: z.object({ status: z.literal("ok") }) },
      },
    },
    async () => ({ status: "ok" as const }),
  );

  api.get(
    "/readyz",
    {
      config: { public: true },
      schema: {
        tags: ["platform"],
        summary: "Readiness: the store answers and the platform is not shutting down.",
        response: { 200: z.object({ status: z.literal("ready") }), 503: z.unknown() },
      },
    },
    async (request, reply) => {
      if (!readiness.ready) {
        return sendProblem(
          reply,
          problemDocument(503, "not-ready", "Slipway is starting or shutting down.", "/readyz"),
        );
      }
      try {
        await ctx.store.ping();
      } catch {
        request.log.warn("readiness: the store did not answer");
        return sendProblem(
          reply,
          problemDocument(503, "store-unavailable", "The state store does not answer.", "/readyz"),
        );
      }
      return { status: "ready" as const };
    },
  );

  api.get(
    "/api/v1/version",
    {
      config: { public: true },
      schema: {
        tags: ["platform"],
        summary: "Versions of the server, its runtime and its store engine.",
        response: {
          200: z.object({ version: z.string(), node: z.string(), engine: z.enum(["sqlite", "postgres"]) }),
        },
      },
    },
    async () => ({ version: ctx.version, node: process.version, engine: ctx.store.engine }),
  );

  const specSchema = serviceSpecJsonSchema();
  api.get(
    "/api/v1/schema/slipway.json",
    {
      config: { public: true },
      schema: { tags: ["platform"], summary: "The JSON Schema of slipway.yaml, for editors." },
    },
    async (_request, reply) => reply.type("application/schema+json").send(specSchema),
  );
}
