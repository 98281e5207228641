import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { buildLogDir } from "../../deploy/index.js";
import { followLogRecords, readLogRecords } from "../../runtime/index.js";
import type { Release, ServiceWithEnvironments } from "../../store/index.js";
import { newId } from "../../store/index.js";
import { principalOf } from "../auth/principal.js";
import { stillAllowed } from "../auth/still-allowed.js";
import type { ApiContext } from "../context.js";
import { deployNeedsApproval } from "../deploy-access.js";
import { HttpProblem } from "../problem.js";
import { authorize } from "../rbac/index.js";
import { authErrors, dnsLabel, problemSchema } from "../schemas/common.js";
import { requireService } from "../service-spec.js";
import { openSse } from "../sse.js";

/** Source uploads above this are refused: build artifacts and dependencies belong in .gitignore. */
export const maxUploadBytes = 256 * 1024 * 1024;

export const releaseSchema = z
  .object({
    id: z.string(),
    version: z.number().int(),
    status: z.enum(["building", "ready", "failed", "pruned"]),
    commit: z.string().nullable(),
    createdAt: z.string(),
    createdBy: z.string().nullable(),
    liveIn: z.array(z.string()),
  })
  .meta({ id: "Release" });

const versionParams = z.object({ name: dnsLabel, version: z.coerce.number().int().min(1) });

async function liveIn(ctx: ApiContext, service: ServiceWithEnvironments): Promise<Map<string, string[]>> {
  const byRelease = new Map<string, string[]>();
  for (const env of service.environments) {
    const live = await ctx.run.controller.records.liveRelease(env.id);
    if (live) {
      byRelease.set(live.id, [...(byRelease.get(live.id) ?? []), env.name]);
    }
  }
  return byRelease;
}

export function releaseView(release: Release, live: Map<string, string[]>) {
  return {
    id: release.id,
    version: release.version,
    status: release.status as "building" | "ready" | "failed" | "pruned",
    commit: release.commit_sha,
    createdAt: release.created_at,
    createdBy: release.created_by,
    liveIn: live.get(release.id) ?? [],
  };
}

export async function requireRelease(
  ctx: ApiContext,
  service: ServiceWithEnvironments,
  version: number,
): Promise<Release> {
  const release = await ctx.run.controller.records.releaseByVersion(service.id, version);
  if (!release) {
    throw new HttpProblem(
      404,
      "release-not-found",
      `Service ${service.name} has no release v${version}. List them with \`slipway releases ${service.name}\`.`,
    );
  }
  return release;
}

/** Streams the upload to a file, refusing it past the size limit without reading the rest. */
async function saveUpload(body: Readable, file: string): Promise<void> {
  let received = 0;
  body.on("data", (chunk: Buffer) => {
    received += chunk.length;
    if (received > maxUploadBytes) {
      body.destroy(
        new HttpProblem(
          413,
          "upload-too-large",
          "The source archive is larger than 256 MiB. Add build output and dependencies to .gitignore.",
        ),
      );
    }
  });
  await pipeline(body, createWriteStream(file, { mode: 0o600 }));
}

export function registerReleaseRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.addContentTypeParser(["application/gzip", "application/x-gzip"], (_request, payload, done) =>
    done(null, payload),
  );
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post(
    "/api/v1/services/:name/releases",
    {
      bodyLimit: maxUploadBytes,
      schema: {
        tags: ["releases"],
        summary: "Upload a source tree (tar.gz) to build a release; with ?deploy=ENV it deploys once built.",
        params: z.object({ name: dnsLabel }),
        querystring: z.strictObject({
          deploy: dnsLabel.optional().describe("Environment to deploy to once the build succeeds."),
          commit: z
            .string()
            .regex(/^[0-9a-f]{4,64}$/, "must be a hex commit id")
            .optional(),
        }),
        consumes: ["application/gzip"],
        response: {
          202: z.object({ release: releaseSchema, deployment: z.null() }),
          404: problemSchema,
          413: problemSchema,
          415: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      const me = principalOf(request);
      const service = await requireService(ctx, request.params.name);
      const target = request.query.deploy;
      let awaitApproval = false;
      if (target !== undefined) {
        const env = service.environments.find((e) => e.name === target);
        if (!env) {
          throw new HttpProblem(
            404,
            "environment-not-found",
            `Service ${service.name} has no environment "${target}".`,
          );
        }
        awaitApproval = deployNeedsApproval(me, env);
      } else {
        authorize(me.bindings, "service.apply");
      }
      const body = request.body as Readable | undefined;
      if (!body || typeof (body as Readable).pipe !== "function") {
        throw new HttpProblem(
          415,
          "unsupported-media-type",
          "Upload the source as a tar.gz body with Content-Type: application/gzip.",
        );
      }
      const uploads = join(ctx.run.home, "uploads");
      await mkdir(uploads, { recursive: true, mode: 0o700 });
      const file = join(uploads, `${newId("upl")}.tar.gz`);
      try {
        await saveUpload(body, file);
      } catch (error) {
        await rm(file, { force: true });
        throw error;
      }
      const release = await ctx.run.releases.create({
        serviceId: service.id,
        service: service.name,
        specJson: service.spec_json,
        archive: file,
        commit: request.query.commit ?? null,
        actor: me.userName,
        deployTo: target ?? null,
        awaitApproval,
      });
      reply.code(202);
      return { release: releaseView(release, new Map()), deployment: null };
    },
  );

  api.get(
    "/api/v1/services/:name/releases",
    {
      schema: {
        tags: ["releases"],
        summary: "A service's releases, newest first, with the environments each is live in.",
        params: z.object({ name: dnsLabel }),
        response: { 200: z.object({ releases: z.array(releaseSchema) }), 404: problemSchema, ...authErrors },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      const service = await requireService(ctx, request.params.name);
      const rows = await ctx.store.db
        .selectFrom("releases")
        .selectAll()
        .where("service_id", "=", service.id)
        .orderBy("version", "desc")
        .limit(200)
        .execute();
      const live = await liveIn(ctx, service);
      return { releases: rows.map((r) => releaseView(r, live)) };
    },
  );

  api.get(
    "/api/v1/services/:name/releases/:version",
    {
      schema: {
        tags: ["releases"],
        summary: "One release, with the deployment its upload started (if any).",
        params: versionParams,
        response: {
          200: z.object({
            release: releaseSchema.extend({
              deployment: z.object({ id: z.string(), status: z.string() }).nullable(),
            }),
          }),
          404: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request) => {
      authorize(principalOf(request).bindings, "read");
      const service = await requireService(ctx, request.params.name);
      const release = await requireRelease(ctx, service, request.params.version);
      const deployment = await ctx.store.db
        .selectFrom("deployments")
        .select(["id", "status"])
        .where("release_id", "=", release.id)
        .orderBy("created_at", "asc")
        .executeTakeFirst();
      return {
        release: { ...releaseView(release, await liveIn(ctx, service)), deployment: deployment ?? null },
      };
    },
  );

  api.get(
    "/api/v1/services/:name/releases/:version/build-log",
    {
      schema: {
        tags: ["releases"],
        summary: "The build's output; with follow=true a server-sent event stream that ends with the build.",
        params: versionParams,
        querystring: z.strictObject({ follow: z.enum(["true", "false"]).optional() }),
        response: {
          200: z.object({
            status: z.string(),
            /** Why a failed build failed ("exit code 2", "timed out after 30m"), else null. */
            reason: z.string().nullable(),
            lines: z.array(
              z.object({ at: z.string(), stream: z.enum(["stdout", "stderr"]), line: z.string() }),
            ),
          }),
          404: problemSchema,
          ...authErrors,
        },
      },
    },
    async (request, reply) => {
      authorize(principalOf(request).bindings, "read");
      const service = await requireService(ctx, request.params.name);
      const release = await requireRelease(ctx, service, request.params.version);
      const dir = buildLogDir(ctx.run.home, service.name, release.version);
      const stateOf = async () => {
        const row = await ctx.store.db
          .selectFrom("releases")
          .select(["status", "failure_reason"])
          .where("id", "=", release.id)
          .executeTakeFirst();
        return { status: row?.status ?? "failed", reason: row?.failure_reason ?? null };
      };
      if (request.query.follow !== "true") {
        const lines = [];
        for await (const record of readLogRecords(dir)) {
          lines.push({ at: record.at, stream: record.stream, line: record.line });
        }
        return { ...(await stateOf()), lines };
      }
      const sse = openSse(request, reply, { stillAllowed: stillAllowed(ctx.store, request, "read") });
      let state = await stateOf();
      for await (const record of followLogRecords(dir, {
        signal: sse.signal,
        pollIntervalMs: 100,
        isFinished: async () => {
          state = await stateOf();
          return state.status !== "building";
        },
      })) {
        sse.send("log", { at: record.at, stream: record.stream, line: record.line });
      }
      sse.send("end", state);
      sse.end();
      return reply;
    },
  );
}
