import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { parseDuration } from "../../spec/index.js";
import type { TokenWithUser } from "../../store/index.js";
import { findTokenById, findUserByName, issueToken, listTokens, revokeToken } from "../../store/index.js";
import { refuseRevokingLastAdminToken } from "../auth/last-admin.js";
import { principalOf } from "../auth/principal.js";
import type { ApiContext } from "../context.js";
import { publishEvent } from "../event-bus.js";
import { HttpProblem } from "../problem.js";
import { authorize, isAllowed } from "../rbac/index.js";
import { authErrors, noContent, problemSchema } from "../schemas/common.js";
import { createTokenBody, issuedTokenSchema, tokenSchema } from "../schemas/tokens.js";

/** A token may live at most a year: long-lived credentials should be service accounts, not people's. */
const maxLifetimeMs = 366 * 24 * 3600 * 1000;

function tokenView(t: TokenWithUser) {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    user: t.user_name,
    createdAt: t.created_at,
    expiresAt: t.expires_at,
    revokedAt: t.revoked_at,
    lastUsedAt: t.last_used_at,
  };
}

function expiryFrom(expiresIn: string | undefined, now: Date): string | null {
  if (expiresIn === undefined) {
    return null;
  }
  const ms = parseDuration(expiresIn);
  if (ms === undefined || ms <= 0 || ms > maxLifetimeMs) {
    throw new HttpProblem(
      400,
      "invalid-request",
      'body.expiresIn: expected a duration like "12h" or "30d", at most 366d',
      {
        errors: [
          { field: "body.expiresIn", message: 'expected a duration like "12h" or "30d", at most 366d' },
        ],
      },
    );
  }
  return new Date(now.getTime() + ms).toISOString();
}

/**
 * A token may not mint one that outlives it, as Vault's child tokens cannot outlive their parent:
 * otherwise a short-lived token (a CI job's, a leaked one) is a way to a credential that never expires.
 */
function refuseOutliving(callerExpiresAt: string | null, expiresAt: string | null): void {
  if (callerExpiresAt === null || (expiresAt !== null && expiresAt <= callerExpiresAt)) {
    return;
  }
  const message = `the token making this request expires at ${callerExpiresAt}, and a token it creates must expire by then too`;
  throw new HttpProblem(400, "invalid-request", `body.expiresIn: ${message}`, {
    errors: [
      {
        field: "body.expiresIn",
        message,
        hint: "pass a shorter --expires, or create the token with one that does not expire",
      },
    ],
  });
}

export function registerTokenRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/v1/tokens",
    {
      schema: {
        tags: ["tokens"],
        summary: "List tokens (yours; every user's with all=true, for admins). Token values are never shown.",
        querystring: z.strictObject({ all: z.enum(["true", "false"]).optional() }),
        response: { 200: z.object({ tokens: z.array(tokenSchema) }), ...authErrors },
      },
    },
    async (request) => {
      const me = principalOf(request);
      const all = request.query.all === "true";
      if (all) {
        authorize(me.bindings, "token.manage-any");
      }
      const tokens = await listTokens(ctx.store.db, all ? undefined : me.userId);
      return { tokens: tokens.map(tokenView) };
    },
  );

  api.post(
    "/api/v1/tokens",
    {
      schema: {
        tags: ["tokens"],
        summary: "Create a token. Its value is in this response only.",
        body: createTokenBody,
        response: { 201: issuedTokenSchema, 400: problemSchema, 404: problemSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      let userId = me.userId;
      let userName = me.userName;
      if (request.body.user !== undefined && request.body.user !== me.userName) {
        authorize(me.bindings, "token.manage-any");
        const user = await findUserByName(ctx.store.db, request.body.user);
        if (!user) {
          throw new HttpProblem(404, "user-not-found", `No user "${request.body.user}".`);
        }
        userId = user.id;
        userName = user.name;
      }
      const expiresAt = expiryFrom(request.body.expiresIn, new Date());
      refuseOutliving(me.tokenExpiresAt, expiresAt);
      const { token, record } = await issueToken(ctx.store.db, {
        userId,
        name: request.body.name,
        expiresAt,
      });
      await publishEvent(ctx.store, ctx.bus, {
        kind: "token.created",
        message: `Token "${record.name}" (${record.prefix}…) created for ${userName}`,
        actor: me.userName,
        data: { tokenId: record.id, user: userName, expiresAt },
      });
      reply.code(201);
      return { token, id: record.id, name: record.name, prefix: record.prefix, user: userName, expiresAt };
    },
  );

  api.delete(
    "/api/v1/tokens/:id",
    {
      schema: {
        tags: ["tokens"],
        summary: "Revoke a token (yours, or anyone's for admins).",
        params: z.object({ id: z.string().max(64) }),
        response: { 204: noContent, 404: problemSchema, 409: problemSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      const token = await findTokenById(ctx.store.db, request.params.id);
      // Someone else's token is reported as missing unless you may manage it: ids are not secrets,
      // but there is no reason to confirm they exist.
      if (!token || (token.user_id !== me.userId && !isAllowed(me.bindings, "token.manage-any"))) {
        throw new HttpProblem(404, "token-not-found", `No token "${request.params.id}" that you may revoke.`);
      }
      await refuseRevokingLastAdminToken(ctx.store.db, token);
      await revokeToken(ctx.store.db, token.id);
      await publishEvent(ctx.store, ctx.bus, {
        kind: "token.revoked",
        message: `Token "${token.name}" (${token.prefix}…) revoked`,
        actor: me.userName,
        data: { tokenId: token.id },
      });
      return reply.code(204).send(null);
    },
  );
}
