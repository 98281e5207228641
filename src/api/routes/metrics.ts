import type { FastifyInstance } from "fastify";
import type { ApiContext } from "../context.js";

/** Prometheus scrapes this: the router's request metrics, per service, environment and release. */
export function registerMetricsRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/plain; version=0.0.4; charset=utf-8").send(await ctx.run.router.metricsText()),
  );
}
