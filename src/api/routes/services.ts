import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { parseServiceSpec, type ServiceSpec } from "../../spec/index.js";
import type { ServiceWithEnvironments } from "../../store/index.js";
import { applyService, deleteService, listServices } from "../../store/index.js";
import { principalOf } from "../auth/principal.js";
import type { ApiContext } from "../context.js";
import { publishEvent } from "../event-bus.js";
import { HttpProblem } from "../problem.js";
import { authorize } from "../rbac/index.js";
import { refuseClaimedRoutes } from "../route-claims.js";
import { authErrors, dnsLabel, noContent, problemSchema } from "../schemas/common.js";
import { declaredEnvironments, requireService, specProblem } from "../service-spec.js";
import { serviceStatus, serviceStatusSchema } from "../service-status.js";

const specSourceBody = z.strictObject({
  source: z
    .string()
    .max(1024 * 1024)
    .describe("The slipway.yaml text."),
  file: z
    .string()
    .max(255)
    .optional()
    .describe("The file name to use in error positions. Default slipway.yaml."),
});

const environmentSchema = z.object({
  name: z.string(),
  position: z.number().int(),
  approvalRequired: z.boolean(),
});
const serviceSchema = z
  .object({
    name: z.string(),
    spec: z.record(z.string(), z.unknown()),
    environments: z.array(environmentSchema),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Service" });

function serviceView(s: ServiceWithEnvironments) {
  return {
    name: s.name,
    spec: JSON.parse(s.spec_json) as Record<string, unknown>,
    environments: s.environments.map((e) => ({
      name: e.name,
      position: e.position,
      approvalRequired: e.approval_required === 1,
    })),
    createdAt: s.created_at,
    updatedAt: s.updated_at,
  };
}

export function registerServiceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/v1/services",
    {
      schema: {
        tags: ["services"],
        summary: "List services.",
        response: {
          200: z.object({
            services: z.array(
              z.object({
                name: z.string(),
                environments: z.array(z.string()),
                createdAt: z.string(),
                updatedAt: z.string(),
              }),
            ),
          }),
          ...authErrors,
        },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      const services = await listServices(ctx.store.db);
      return {
        services: services.map((s) => ({
          name: s.name,
          environments: s.environments.map((e) => e.name),
          createdAt: s.created_at,
          updatedAt: s.updated_at,
        })),
      };
    },
  );

  api.post(
    "/api/v1/validate",
    {
      schema: {
        tags: ["services"],
        summary: "Check a slipway.yaml without applying it. Every error names its line and column.",
        body: specSourceBody,
        response: {
          200: z.object({ valid: z.literal(true), spec: z.record(z.string(), z.unknown()) }),
          422: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const file = request.body.file ?? "slipway.yaml";
      const result = parseServiceSpec(request.body.source, file);
      if (!result.ok) {
        throw specProblem(result.errors, file);
      }
      return { valid: true as const, spec: result.spec as unknown as Record<string, unknown> };
    },
  );

  api.put(
    "/api/v1/services/:name",
    {
      schema: {
        tags: ["services"],
        summary: "Create or update a service from its slipway.yaml (developer in every environment).",
        params: z.object({ name: dnsLabel }),
        body: specSourceBody,
        response: {
          200: z.object({ service: serviceSchema }),
          201: z.object({ service: serviceSchema }),
          400: problemSchema,
          409: problemSchema,
          422: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      authorize(me.bindings, "service.apply");
      const file = request.body.file ?? "slipway.yaml";
      const result = parseServiceSpec(request.body.source, file);
      if (!result.ok) {
        throw specProblem(result.errors, file);
      }
      if (result.spec.service !== request.params.name) {
        throw new HttpProblem(
          422,
          "service-name-mismatch",
          `The spec names service "${result.spec.service}" but the request is for "${request.params.name}".`,
          { errors: [{ field: "spec.service", message: `must be "${request.params.name}" for this URL` }] },
        );
      }
      const others = await listServices(ctx.store.db);
      // Stored specs were validated when applied; one that is not a spec (hand-made) claims nothing.
      const otherSpecs = others
        .map((other) => JSON.parse(other.spec_json) as ServiceSpec)
        .filter((spec) => Array.isArray(spec.environments));
      refuseClaimedRoutes(result.spec, otherSpecs, request.body.source);
      const { service, created } = await applyService(ctx.store.db, {
        name: request.params.name,
        specJson: JSON.stringify(result.spec),
        source: request.body.source,
        environments: declaredEnvironments(result.spec),
      });
      await publishEvent(ctx.store, ctx.bus, {
        kind: created ? "service.created" : "service.updated",
        message: `Service ${service.name} ${created ? "created" : "updated"}`,
        service: service.name,
        actor: me.userName,
        data: { environments: service.environments.map((e) => e.name) },
      });
      reply.code(created ? 201 : 200);
      return { service: serviceView(service) };
    },
  );

  api.get(
    "/api/v1/services/:name",
    {
      schema: {
        tags: ["services"],
        summary: "A service with its normalised spec and environments.",
        params: z.object({ name: dnsLabel }),
        response: { 200: z.object({ service: serviceSchema }), 404: problemSchema, ...authErrors },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      return { service: serviceView(await requireService(ctx, request.params.name)) };
    },
  );

  api.get(
    "/api/v1/services/:name/status",
    {
      schema: {
        tags: ["services"],
        summary: "What runs where: per environment, the live release and its replicas.",
        params: z.object({ name: dnsLabel }),
        response: { 200: serviceStatusSchema, 404: problemSchema, ...authErrors },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      return serviceStatus(ctx, await requireService(ctx, request.params.name));
    },
  );

  api.delete(
    "/api/v1/services/:name",
    {
      schema: {
        tags: ["services"],
        summary: "Delete a service and its history (admin).",
        params: z.object({ name: dnsLabel }),
        response: { 204: noContent, 404: problemSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      authorize(me.bindings, "service.delete");
      await requireService(ctx, request.params.name);
      // Its replicas go first: deleting the records alone would leave them running and routed.
      await ctx.run.controller.stopService(request.params.name);
      if (!(await deleteService(ctx.store.db, request.params.name))) {
        throw new HttpProblem(404, "service-not-found", `No service "${request.params.name}".`);
      }
      await publishEvent(ctx.store, ctx.bus, {
        kind: "service.deleted",
        message: `Service ${request.params.name} deleted`,
        service: request.params.name,
        actor: me.userName,
      });
      return reply.code(204).send(null);
    },
  );
}
