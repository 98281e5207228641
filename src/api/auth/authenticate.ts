import type { FastifyReply, FastifyRequest } from "fastify";
import type { Store } from "../../store/index.js";
import { findTokenByHash, findUserById, hashToken, listRoleBindings, touchToken } from "../../store/index.js";
import { HttpProblem } from "../problem.js";
import type { Principal } from "./principal.js";

const challenge = { "www-authenticate": 'Bearer realm="slipway"' };
const loginHint = "Run `slipway login` with a valid token, or create one with `slipway tokens create`.";

/** Reads `Authorization: Bearer <token>`; undefined when the header is absent. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) {
    return undefined;
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match?.[1]) {
    throw new HttpProblem(
      401,
      "malformed-authorization",
      `The Authorization header must be "Bearer <token>". ${loginHint}`,
      {
        headers: challenge,
      },
    );
  }
  return match[1];
}

/** Resolves a token to its principal, or throws the precise 401 (unknown, expired, revoked, disabled). */
export async function resolvePrincipal(store: Store, token: string, now: Date): Promise<Principal> {
  const record = await findTokenByHash(store.db, hashToken(token));
  if (!record) {
    throw new HttpProblem(401, "invalid-token", `The token is not valid. ${loginHint}`, {
      headers: challenge,
    });
  }
  if (record.revoked_at !== null) {
    throw new HttpProblem(
      401,
      "token-revoked",
      `The token "${record.name}" was revoked at ${record.revoked_at}. ${loginHint}`,
      {
        headers: challenge,
      },
    );
  }
  if (record.expires_at !== null && Date.parse(record.expires_at) <= now.getTime()) {
    throw new HttpProblem(
      401,
      "token-expired",
      `The token "${record.name}" expired at ${record.expires_at}. ${loginHint}`,
      {
        headers: challenge,
      },
    );
  }
  const user = await findUserById(store.db, record.user_id);
  if (!user || user.disabled) {
    throw new HttpProblem(401, "user-disabled", "The user of this token is disabled.", {
      headers: challenge,
    });
  }
  const bindings = await listRoleBindings(store.db, user.id);
  await touchToken(store.db, record.id, now.toISOString());
  return {
    userId: user.id,
    userName: user.name,
    tokenId: record.id,
    tokenName: record.name,
    tokenExpiresAt: record.expires_at,
    bindings: bindings.map((b) => ({ role: b.role, environment: b.environment })),
  };
}

/** The onRequest hook: every route needs a valid token unless its config says `public: true`. */
export function authenticationHook(store: Store) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    request.principal = null;
    const token = bearerToken(request.headers.authorization);
    if (request.routeOptions.config.public === true && token === undefined) {
      return;
    }
    if (token === undefined) {
      if (request.routeOptions.url === undefined) {
        return; // unknown route: let the 404 handler answer
      }
      throw new HttpProblem(401, "unauthenticated", `This route needs a bearer token. ${loginHint}`, {
        headers: challenge,
      });
    }
    request.principal = await resolvePrincipal(store, token, new Date());
  };
}
