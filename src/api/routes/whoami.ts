import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../auth/principal.js";
import { authErrors } from "../schemas/common.js";

export function registerWhoamiRoute(app: FastifyInstance): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    "/api/v1/whoami",
    {
      schema: {
        tags: ["auth"],
        summary: "Who the token belongs to, and the roles bound to them.",
        response: {
          200: z.object({
            user: z.object({ id: z.string(), name: z.string() }),
            roles: z.array(z.object({ role: z.string(), environment: z.string() })),
            token: z.object({ id: z.string(), name: z.string(), expiresAt: z.string().nullable() }),
          }),
          401: authErrors[401],
        },
      },
    },
    async (request) => {
      const me = principalOf(request);
      return {
        user: { id: me.userId, name: me.userName },
        roles: me.bindings,
        token: { id: me.tokenId, name: me.tokenName, expiresAt: me.tokenExpiresAt },
      };
    },
  );
}
