import type { FastifyInstance } from "fastify";
import { createReplicaMetrics } from "../../deploy/index.js";
import type { ApiContext } from "../context.js";

/**
 * Prometheus scrapes this: the router's request metrics per service, environment and release,
 * and each replica's CPU, memory, restarts, uptime and readiness.
 */
export function registerMetricsRoute(app: FastifyInstance, ctx: ApiContext): void {
  const replicas = createReplicaMetrics(() => ctx.run.controller.allReplicas());
  app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const [router, replica] = await Promise.all([ctx.run.router.metricsText(), replicas.metrics()]);
    return reply.type(replicas.contentType).send(`${router.trimEnd()}\n${replica}`);
  });
}
