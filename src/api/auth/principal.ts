import type { FastifyRequest } from "fastify";
import { HttpProblem } from "../problem.js";
import type { Binding } from "../rbac/index.js";

/** Who is calling: the user behind the bearer token and the roles bound to them. */
export interface Principal {
  userId: string;
  userName: string;
  tokenId: string;
  tokenName: string;
  tokenExpiresAt: string | null;
  bindings: Binding[];
}

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyContextConfig {
    /** Routes anyone may call without a token (health, OpenAPI, schema). */
    public?: boolean;
  }
}

/** The caller, for handlers of authenticated routes (the auth hook has already run). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) {
    throw new HttpProblem(401, "unauthenticated", "This route needs a bearer token.");
  }
  return request.principal;
}
