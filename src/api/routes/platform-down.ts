import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../auth/principal.js";
import type { ApiContext, RunContext } from "../context.js";
import { publishEvent } from "../event-bus.js";
import { HttpProblem } from "../problem.js";
import { authorize } from "../rbac/index.js";
import { authErrors, problemSchema } from "../schemas/common.js";

/** The platforms whose `down` has begun: a second request waits for the same one. */
const stopping = new WeakSet<RunContext>();

/**
 * Stops the replicas while the API still answers, and only then the platform, which closes the API
 * first: a client that waits for the API to go away (`slipway down`) then knows that every replica
 * has stopped and that the data directory is about to be free for the next `slipway up`.
 */
async function stopReplicasThenPlatform(run: RunContext, down: () => void, log: FastifyBaseLogger) {
  try {
    await run.controller.stopAll();
  } catch (error) {
    log.error({ err: error }, "could not stop every replica; stopping the platform, which tries again");
  }
  down();
}

/**
 * `slipway down`: stops every replica and then the platform. A plain SIGTERM of the platform
 * leaves replicas serving (like a kubelet restart); this is the way to stop everything.
 */
export function registerPlatformDownRoute(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/api/v1/platform/down",
    {
      schema: {
        tags: ["platform"],
        summary: "Stop every replica, then the platform (admin).",
        response: { 202: z.object({ stopping: z.literal(true) }), 409: problemSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      authorize(me.bindings, "platform.manage");
      const down = ctx.run.requestDown;
      if (!down) {
        throw new HttpProblem(
          409,
          "not-supported",
          "This Slipway was not started by `slipway up`; stop it the way it was started.",
        );
      }
      await publishEvent(ctx.store, ctx.bus, {
        kind: "platform.stopping",
        message: `${me.userName} stopped the platform and every replica`,
        actor: me.userName,
      });
      // Answer first: the shutdown closes this very server.
      reply.code(202).send({ stopping: true as const });
      if (!stopping.has(ctx.run)) {
        stopping.add(ctx.run);
        setImmediate(() => void stopReplicasThenPlatform(ctx.run, down, request.log));
      }
      return reply;
    },
  );
}
