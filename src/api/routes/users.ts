import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { bindRole, createUser, findUserByName, listUsersWithRoles, unbindRole } from "../../store/index.js";
import { refuseLosingLastAdmin } from "../auth/last-admin.js";
import { principalOf } from "../auth/principal.js";
import type { ApiContext } from "../context.js";
import { publishEvent } from "../event-bus.js";
import { HttpProblem } from "../problem.js";
import { authorize, roles } from "../rbac/index.js";
import { authErrors, dnsLabel, environmentOrAll, noContent, problemSchema } from "../schemas/common.js";

const bindingSchema = z.object({ id: z.string(), role: z.enum(roles), environment: z.string() });
const userSchema = z
  .object({ id: z.string(), name: z.string(), createdAt: z.string(), roles: z.array(bindingSchema) })
  .meta({ id: "User" });

async function requireUser(ctx: ApiContext, name: string) {
  const user = await findUserByName(ctx.store.db, name);
  if (!user) {
    throw new HttpProblem(404, "user-not-found", `No user "${name}". Create it with POST /api/v1/users.`);
  }
  return user;
}

export function registerUserRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get(
    "/api/v1/users",
    {
      schema: {
        tags: ["users"],
        summary: "List users and their roles (admin).",
        response: { 200: z.object({ users: z.array(userSchema) }), ...authErrors },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "user.manage");
      const users = await listUsersWithRoles(ctx.store.db);
      return {
        users: users.map((u) => ({
          id: u.id,
          name: u.name,
          createdAt: u.created_at,
          roles: u.roles.map((r) => ({
            id: r.id,
            role: r.role as (typeof roles)[number],
            environment: r.environment,
          })),
        })),
      };
    },
  );

  api.post(
    "/api/v1/users",
    {
      schema: {
        tags: ["users"],
        summary: "Create a user (admin). Bind roles and issue a token next.",
        body: z.strictObject({ name: dnsLabel }),
        response: { 201: z.object({ user: userSchema }), 409: problemSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      authorize(me.bindings, "user.manage");
      if (await findUserByName(ctx.store.db, request.body.name)) {
        throw new HttpProblem(409, "user-exists", `A user "${request.body.name}" already exists.`);
      }
      const user = await createUser(ctx.store.db, request.body.name);
      await publishEvent(ctx.store, ctx.bus, {
        kind: "user.created",
        message: `User ${user.name} created`,
        actor: me.userName,
      });
      reply.code(201);
      return { user: { id: user.id, name: user.name, createdAt: user.created_at, roles: [] } };
    },
  );

  api.put(
    "/api/v1/users/:name/roles/:environment",
    {
      schema: {
        tags: ["users"],
        summary: "Bind a role to a user in an environment, or in every environment with `*` (admin).",
        params: z.object({ name: dnsLabel, environment: environmentOrAll }),
        body: z.strictObject({ role: z.enum(roles) }),
        response: {
          200: z.object({ binding: bindingSchema }),
          404: problemSchema,
          409: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const me = principalOf(request);
      authorize(me.bindings, "user.manage");
      const user = await requireUser(ctx, request.params.name);
      await refuseLosingLastAdmin(ctx.store.db, user, request.params.environment, request.body.role);
      const binding = await bindRole(ctx.store.db, user.id, request.body.role, request.params.environment);
      await publishEvent(ctx.store, ctx.bus, {
        kind: "role.bound",
        message: `${user.name} is ${binding.role} in ${binding.environment}`,
        environment: binding.environment === "*" ? null : binding.environment,
        actor: me.userName,
        data: { user: user.name, role: binding.role, environment: binding.environment },
      });
      return { binding: { id: binding.id, role: request.body.role, environment: binding.environment } };
    },
  );

  api.delete(
    "/api/v1/users/:name/roles/:environment",
    {
      schema: {
        tags: ["users"],
        summary: "Remove a user's role in an environment (admin).",
        params: z.object({ name: dnsLabel, environment: environmentOrAll }),
        response: { 204: noContent, 404: problemSchema, 409: problemSchema, ...authErrors },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      authorize(me.bindings, "user.manage");
      const user = await requireUser(ctx, request.params.name);
      await refuseLosingLastAdmin(ctx.store.db, user, request.params.environment);
      if (!(await unbindRole(ctx.store.db, user.id, request.params.environment))) {
        throw new HttpProblem(
          404,
          "binding-not-found",
          `${user.name} has no role in "${request.params.environment}".`,
        );
      }
      await publishEvent(ctx.store, ctx.bus, {
        kind: "role.unbound",
        message: `${user.name} lost their role in ${request.params.environment}`,
        actor: me.userName,
        data: { user: user.name, environment: request.params.environment },
      });
      return reply.code(204).send(null);
    },
  );
}
