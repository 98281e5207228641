import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { DeployConflict, type DeploymentKind } from "../../deploy/index.js";
import { parseDuration } from "../../spec/index.js";
import type { Deployment, Release, ServiceWithEnvironments } from "../../store/index.js";
import { principalOf } from "../auth/principal.js";
import type { ApiContext } from "../context.js";
import { authorizeDeploy, deployNeedsApproval } from "../deploy-access.js";
import { HttpProblem } from "../problem.js";
import { authorize } from "../rbac/index.js";
import { authErrors, dnsLabel, problemSchema } from "../schemas/common.js";
import { requireService } from "../service-spec.js";
import { untilAborted } from "../shutdown-signal.js";
import { requireRelease } from "./releases.js";

const failureSchema = z.object({
  reason: z.string(),
  replica: z.string().optional(),
  exitCode: z.number().int().nullable().optional(),
  exitReason: z.string().optional(),
  lastLog: z.array(z.string()).optional(),
  /** A first deploy had nothing to roll back to: its replicas stay, restarting, and get traffic once ready. */
  keptReplicas: z.boolean().optional(),
});

export const deploymentSchema = z
  .object({
    id: z.string(),
    service: z.string(),
    environment: z.string(),
    release: z.number().int(),
    status: z.string(),
    reason: z.string().nullable(),
    kind: z.string(),
    createdAt: z.string(),
    finishedAt: z.string().nullable(),
    createdBy: z.string().nullable(),
    failure: failureSchema.optional(),
  })
  .meta({ id: "Deployment" });

type DeploymentView = z.infer<typeof deploymentSchema>;

async function deploymentView(ctx: ApiContext, d: Deployment): Promise<DeploymentView> {
  const row = await ctx.store.db
    .selectFrom("environments")
    .innerJoin("services", "services.id", "environments.service_id")
    .innerJoin("releases", "releases.service_id", "services.id")
    .select(["services.name as service", "environments.name as environment", "releases.version as version"])
    .where("environments.id", "=", d.environment_id)
    .where("releases.id", "=", d.release_id)
    .executeTakeFirst();
  const plan = d.plan_json
    ? (JSON.parse(d.plan_json) as {
        kind?: string;
        failure?: DeploymentView["failure"];
        keptReplicas?: boolean;
      })
    : {};
  const failure =
    d.status === "failed" && plan.failure
      ? { ...plan.failure, ...(plan.keptReplicas ? { keptReplicas: true } : {}) }
      : undefined;
  return {
    id: d.id,
    service: row?.service ?? "",
    environment: row?.environment ?? "",
    release: Number(row?.version ?? 0),
    status: d.status,
    reason: d.reason,
    kind: plan.kind ?? "deploy",
    createdAt: d.created_at,
    finishedAt: d.finished_at,
    createdBy: d.created_by,
    ...(failure ? { failure } : {}),
  };
}

function requireEnvironment(service: ServiceWithEnvironments, name: string) {
  const env = service.environments.find((e) => e.name === name);
  if (!env) {
    const known = service.environments.map((e) => e.name).join(", ");
    throw new HttpProblem(
      404,
      "environment-not-found",
      `Service ${service.name} has no environment "${name}" (it has: ${known}).`,
    );
  }
  return env;
}

async function startDeployment(
  ctx: ApiContext,
  service: ServiceWithEnvironments,
  environment: string,
  release: Release,
  actor: string,
  kind: DeploymentKind,
  options: { awaitApproval?: boolean } = {},
): Promise<Deployment> {
  try {
    const request = { service: service.name, environment, release, actor, kind };
    const { controller } = ctx.run;
    return await (options.awaitApproval ? controller.requestApproval(request) : controller.deploy(request));
  } catch (error) {
    if (error instanceof DeployConflict) {
      throw new HttpProblem(error.status, "deploy-conflict", error.message);
    }
    throw error;
  }
}

const envBody = z.strictObject({ environment: dnsLabel });

/**
 * The caller, service and environment of a deploy-like request, once the caller may deploy there;
 * with `mayAskForApproval`, a developer in an environment that requires approval may too, and
 * `awaitApproval` says the deploy must wait for a deployer.
 */
async function deployTarget(
  ctx: ApiContext,
  request: FastifyRequest,
  name: string,
  environment: string,
  options: { mayAskForApproval?: boolean } = {},
) {
  const me = principalOf(request);
  const service = await requireService(ctx, name);
  const env = requireEnvironment(service, environment);
  let awaitApproval = false;
  if (options.mayAskForApproval) {
    awaitApproval = deployNeedsApproval(me, env);
  } else {
    authorizeDeploy(me, env);
  }
  return { me, service, env, awaitApproval };
}

async function accepted202(ctx: ApiContext, reply: FastifyReply, deployment: Deployment) {
  reply.code(202);
  return { deployment: await deploymentView(ctx, deployment) };
}

export function registerDeploymentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const accepted = {
    202: z.object({ deployment: deploymentSchema }),
    404: problemSchema,
    409: problemSchema,
    ...authErrors,
  };

  api.post(
    "/api/v1/services/:name/deployments",
    {
      schema: {
        tags: ["deployments"],
        summary: "Deploy a built release (default: the newest ready one) to an environment.",
        params: z.object({ name: dnsLabel }),
        body: envBody.extend({ release: z.number().int().min(1).optional() }),
        response: accepted,
      },
    },
    async (request, reply) => {
      const { me, service, env, awaitApproval } = await deployTarget(
        ctx,
        request,
        request.params.name,
        request.body.environment,
        { mayAskForApproval: true },
      );
      const release =
        request.body.release === undefined
          ? await ctx.run.controller.records.newestReadyRelease(service.id)
          : await requireRelease(ctx, service, request.body.release);
      if (!release) {
        throw new HttpProblem(
          404,
          "release-not-found",
          `Service ${service.name} has no built release yet. Run \`slipway deploy\`.`,
        );
      }
      const deployment = await startDeployment(ctx, service, env.name, release, me.userName, "deploy", {
        awaitApproval,
      });
      return accepted202(ctx, reply, deployment);
    },
  );

  api.post(
    "/api/v1/services/:name/rollback",
    {
      schema: {
        tags: ["deployments"],
        summary: "Switch an environment back to an earlier release, without rebuilding.",
        params: z.object({ name: dnsLabel }),
        body: envBody.extend({ to: z.number().int().min(1).optional() }),
        response: accepted,
      },
    },
    async (request, reply) => {
      const { me, service, env } = await deployTarget(
        ctx,
        request,
        request.params.name,
        request.body.environment,
      );
      let target: Release | undefined;
      if (request.body.to !== undefined) {
        target = await requireRelease(ctx, service, request.body.to);
      } else {
        const history = await ctx.run.controller.records.successfulReleases(env.id);
        const current = history[0];
        // During a canary the release to go back to is the one it would replace: still live.
        target = ctx.run.controller.canaryOf(env.id) ? current : history.find((r) => r.id !== current?.id);
      }
      if (!target) {
        throw new HttpProblem(
          409,
          "nothing-to-roll-back-to",
          `${service.name}/${env.name} has no earlier successful release to roll back to: name one with --to (\`slipway releases ${service.name}\` lists them).`,
        );
      }
      const deployment = await startDeployment(ctx, service, env.name, target, me.userName, "rollback");
      return accepted202(ctx, reply, deployment);
    },
  );

  api.post(
    "/api/v1/services/:name/restart",
    {
      schema: {
        tags: ["deployments"],
        summary: "Rolling restart of the live release of an environment.",
        params: z.object({ name: dnsLabel }),
        body: envBody,
        response: accepted,
      },
    },
    async (request, reply) => {
      const { me, service, env } = await deployTarget(
        ctx,
        request,
        request.params.name,
        request.body.environment,
      );
      const live = await ctx.run.controller.records.liveRelease(env.id);
      if (!live) {
        throw new HttpProblem(
          409,
          "nothing-running",
          `${service.name}/${env.name} runs no release yet: deploy one first (\`slipway deploy --env ${env.name}\`).`,
        );
      }
      const deployment = await startDeployment(ctx, service, env.name, live, me.userName, "restart");
      return accepted202(ctx, reply, deployment);
    },
  );

  api.post(
    "/api/v1/services/:name/scale",
    {
      schema: {
        tags: ["deployments"],
        summary: "Set how many replicas an environment runs.",
        params: z.object({ name: dnsLabel }),
        body: envBody.extend({ replicas: z.number().int().min(0).max(100) }),
        response: {
          200: z.object({ environment: z.string(), replicas: z.number().int() }),
          404: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      const { me, service, env } = await deployTarget(
        ctx,
        request,
        request.params.name,
        request.body.environment,
      );
      await ctx.run.controller.scale(service.name, env.name, request.body.replicas, me.userName);
      return { environment: env.name, replicas: request.body.replicas };
    },
  );

  api.get(
    "/api/v1/services/:name/deployments",
    {
      schema: {
        tags: ["deployments"],
        summary: "Deployments of a service, newest first.",
        params: z.object({ name: dnsLabel }),
        querystring: z.strictObject({
          environment: dnsLabel.optional(),
          limit: z.coerce.number().int().min(1).max(200).default(20),
        }),
        response: {
          200: z.object({ deployments: z.array(deploymentSchema) }),
          404: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      const service = await requireService(ctx, request.params.name);
      const envIds = service.environments
        .filter((e) => request.query.environment === undefined || e.name === request.query.environment)
        .map((e) => e.id);
      if (envIds.length === 0) {
        return { deployments: [] };
      }
      const rows = await ctx.store.db
        .selectFrom("deployments")
        .selectAll()
        .where("environment_id", "in", envIds)
        .orderBy("created_at", "desc")
        .limit(request.query.limit)
        .execute();
      return { deployments: await Promise.all(rows.map((d) => deploymentView(ctx, d))) };
    },
  );

  api.get(
    "/api/v1/deployments",
    {
      schema: {
        tags: ["deployments"],
        summary:
          "Deployments of every service, newest first; status=awaiting_approval lists what waits for a deployer.",
        querystring: z.strictObject({
          status: z
            .enum(["awaiting_approval", "in_progress", "succeeded", "failed", "rolled_back", "rejected"])
            .optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
        response: { 200: z.object({ deployments: z.array(deploymentSchema) }), ...authErrors },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      let query = ctx.store.db
        .selectFrom("deployments")
        .selectAll()
        .orderBy("created_at", "desc")
        .limit(request.query.limit);
      if (request.query.status !== undefined) {
        query = query.where("status", "=", request.query.status);
      }
      const rows = await query.execute();
      return { deployments: await Promise.all(rows.map((d) => deploymentView(ctx, d))) };
    },
  );

  const byId = z.object({ id: z.string().max(64) });
  const one = { 200: z.object({ deployment: deploymentSchema }), 404: problemSchema, ...authErrors };
  const find = async (id: string) => {
    const row = await ctx.store.db
      .selectFrom("deployments")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!row) {
      throw new HttpProblem(404, "deployment-not-found", `No deployment "${id}".`);
    }
    return row;
  };

  api.get(
    "/api/v1/deployments/:id",
    { schema: { tags: ["deployments"], summary: "One deployment.", params: byId, response: one } },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      return { deployment: await deploymentView(ctx, await find(request.params.id)) };
    },
  );

  api.get(
    "/api/v1/deployments/:id/wait",
    {
      schema: {
        tags: ["deployments"],
        summary: "Waits until the deployment finishes (or the timeout passes) and returns it.",
        params: byId,
        querystring: z.strictObject({ timeout: z.string().max(16).default("60s") }),
        response: one,
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      await find(request.params.id);
      const timeoutMs = Math.min(parseDuration(request.query.timeout) ?? 60_000, 10 * 60_000);
      let timer: NodeJS.Timeout | undefined;
      await untilAborted(
        request.server.shuttingDown,
        Promise.race([
          ctx.run.controller.waitFor(request.params.id),
          new Promise((resolve) => {
            timer = setTimeout(resolve, timeoutMs).unref();
          }),
        ]),
      );
      clearTimeout(timer);
      return { deployment: await deploymentView(ctx, await find(request.params.id)) };
    },
  );

  /** The deployment, once the caller may promote into its environment (deployer there). */
  const forApprover = async (request: FastifyRequest, id: string) => {
    const me = principalOf(request);
    const deployment = await ctx.run.controller.records.deployment(id);
    const env = deployment && (await ctx.run.controller.records.environmentById(deployment.environment_id));
    if (!env) {
      // No environment to check against: only a deployer everywhere learns that it does not exist.
      authorize(me.bindings, "promote");
      throw new HttpProblem(404, "deployment-not-found", `No deployment "${id}".`);
    }
    authorize(me.bindings, "promote", env.name);
    return me;
  };
  const decided = async (work: () => Promise<Deployment>) => {
    try {
      return { deployment: await deploymentView(ctx, await work()) };
    } catch (error) {
      if (error instanceof DeployConflict) {
        throw new HttpProblem(error.status, "deploy-conflict", error.message);
      }
      throw error;
    }
  };

  api.post(
    "/api/v1/deployments/:id/approve",
    {
      schema: {
        tags: ["deployments"],
        summary:
          "Approve a deployment that waits for approval (deployer in its environment); its rollout starts.",
        params: byId,
        response: accepted,
      },
    },
    async (request, reply) => {
      const me = await forApprover(request, request.params.id);
      const body = await decided(() => ctx.run.controller.approve(request.params.id, me.userName));
      reply.code(202);
      return body;
    },
  );

  api.post(
    "/api/v1/deployments/:id/reject",
    {
      schema: {
        tags: ["deployments"],
        summary: "Reject a deployment that waits for approval (deployer in its environment).",
        params: byId,
        body: z.strictObject({ reason: z.string().min(1).max(500).optional() }).optional(),
        response: { ...one, 409: problemSchema },
      },
    },
    async (request) => {
      const me = await forApprover(request, request.params.id);
      return decided(() => ctx.run.controller.reject(request.params.id, me.userName, request.body?.reason));
    },
  );
}
