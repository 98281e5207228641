import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ServiceWithEnvironments } from "../../store/index.js";
import { deleteSecret, listSecrets, setSecret } from "../../store/index.js";
import type { Principal } from "../auth/principal.js";
import { principalOf } from "../auth/principal.js";
import type { ApiContext } from "../context.js";
import { publishEvent } from "../event-bus.js";
import { HttpProblem } from "../problem.js";
import { allEnvironments, authorize } from "../rbac/index.js";
import { authErrors, dnsLabel, environmentOrAll, noContent, problemSchema } from "../schemas/common.js";
import { requireService } from "../service-spec.js";

const secretName = z
  .string()
  .max(128)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "must be an environment variable name: letters, digits and '_', not starting with a digit",
  );
/** 64 KiB: certificates and keys fit; anything larger belongs in a volume, not an environment variable. */
const maxSecretBytes = 64 * 1024;

const secretMetaSchema = z
  .object({
    name: z.string(),
    environment: z.string(),
    updatedAt: z.string(),
    updatedBy: z.string().nullable(),
  })
  .meta({ id: "SecretMetadata", description: "A secret's name and history. Its value is never returned." });

/**
 * Writing a secret where approval is required (production), or in every environment at once
 * when some environment requires approval, needs a deployer: the value reaches that environment.
 */
function authorizeSecretWrite(me: Principal, service: ServiceWithEnvironments, environment: string): void {
  if (environment === allEnvironments) {
    const protectedEnv = service.environments.some((e) => e.approval_required === 1);
    authorize(me.bindings, protectedEnv ? "secret.write.protected" : "secret.write");
    return;
  }
  const env = service.environments.find((e) => e.name === environment);
  if (!env) {
    const known = service.environments.map((e) => e.name).join(", ");
    throw new HttpProblem(
      404,
      "environment-not-found",
      `Service ${service.name} has no environment "${environment}" (it has: ${known}, or * for all).`,
    );
  }
  authorize(
    me.bindings,
    env.approval_required === 1 ? "secret.write.protected" : "secret.write",
    environment,
  );
}

export function registerSecretRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/v1/services/:name/secrets",
    {
      schema: {
        tags: ["secrets"],
        summary: "List a service's secret names (values are never returned).",
        params: z.object({ name: dnsLabel }),
        querystring: z.strictObject({ environment: environmentOrAll.optional() }),
        response: {
          200: z.object({ secrets: z.array(secretMetaSchema) }),
          404: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      const service = await requireService(ctx, request.params.name);
      const rows = await listSecrets(ctx.store.db, {
        service: service.name,
        environment: request.query.environment,
      });
      return {
        secrets: rows.map((r) => ({
          name: r.name,
          environment: r.environment,
          updatedAt: r.updated_at,
          updatedBy: r.updated_by,
        })),
      };
    },
  );

  api.put(
    "/api/v1/services/:name/secrets/:key",
    {
      schema: {
        tags: ["secrets"],
        summary: "Set a secret, encrypted at rest. Injected into replicas as an environment variable.",
        params: z.object({ name: dnsLabel, key: secretName }),
        body: z.strictObject({
          value: z.string().min(1).describe("The secret value. Never returned, logged or shown in events."),
          environment: environmentOrAll.default(allEnvironments),
        }),
        response: { 200: secretMetaSchema, 400: problemSchema, 404: problemSchema, ...authErrors },
      },
    },
    async (request) => {
      const me = principalOf(request);
      const service = await requireService(ctx, request.params.name);
      const environment = request.body.environment;
      authorizeSecretWrite(me, service, environment);
      if (Buffer.byteLength(request.body.value, "utf8") > maxSecretBytes) {
        throw new HttpProblem(400, "secret-too-large", "body.value: a secret may be at most 64 KiB.", {
          errors: [{ field: "body.value", message: "must be at most 64 KiB" }],
        });
      }
      await setSecret(ctx.store.db, ctx.secretBox, {
        service: service.name,
        environment,
        name: request.params.key,
        value: request.body.value,
        actor: me.userName,
      });
      const [row] = await listSecrets(ctx.store.db, { service: service.name, environment }).then((all) =>
        all.filter((r) => r.name === request.params.key && r.environment === environment),
      );
      await publishEvent(ctx.store, ctx.bus, {
        kind: "secret.set",
        message: `Secret ${request.params.key} set for ${service.name} in ${environment}`,
        service: service.name,
        environment: environment === allEnvironments ? null : environment,
        actor: me.userName,
        data: { name: request.params.key, environment },
      });
      return {
        name: request.params.key,
        environment,
        updatedAt: row?.updated_at ?? new Date().toISOString(),
        updatedBy: me.userName,
      };
    },
  );

  api.delete(
    "/api/v1/services/:name/secrets/:key",
    {
      schema: {
        tags: ["secrets"],
        summary: "Remove a secret.",
        params: z.object({ name: dnsLabel, key: secretName }),
        querystring: z.strictObject({ environment: environmentOrAll.default(allEnvironments) }),
        response: { 204: noContent, 404: problemSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      const service = await requireService(ctx, request.params.name);
      const environment = request.query.environment;
      authorizeSecretWrite(me, service, environment);
      const removed = await deleteSecret(ctx.store.db, {
        service: service.name,
        environment,
        name: request.params.key,
      });
      if (!removed) {
        throw new HttpProblem(
          404,
          "secret-not-found",
          `No secret ${request.params.key} for ${service.name} in ${environment}.`,
        );
      }
      await publishEvent(ctx.store, ctx.bus, {
        kind: "secret.deleted",
        message: `Secret ${request.params.key} removed from ${service.name} in ${environment}`,
        service: service.name,
        environment: environment === allEnvironments ? null : environment,
        actor: me.userName,
        data: { name: request.params.key, environment },
      });
      return reply.code(204).send(null);
    },
  );
}
