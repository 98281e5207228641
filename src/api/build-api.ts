import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { serializerCompiler, validatorCompiler } from "fastify-type-provider-zod";
import { auditHook } from "./audit-hook.js";
import { authenticationHook } from "./auth/authenticate.js";
import type { ApiContext } from "./context.js";
import { installErrorHandlers } from "./error-handler.js";
import { registerOpenApi } from "./openapi.js";
import { requestIdFor } from "./request-id.js";
import { registerDeploymentRoutes } from "./routes/deployments.js";
import { type EventStreamOptions, registerEventStreamRoute } from "./routes/event-stream.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerLogRoutes } from "./routes/logs.js";
import { type Readiness, registerMetaRoutes } from "./routes/meta.js";
import { registerMetricsRoute } from "./routes/metrics.js";
import { registerPlatformDownRoute } from "./routes/platform-down.js";
import { registerReleaseRoutes } from "./routes/releases.js";
import { registerSecretRoutes } from "./routes/secrets.js";
import { registerServiceRoutes } from "./routes/services.js";
import { registerTokenRoutes } from "./routes/tokens.js";
import { registerUserRoutes } from "./routes/users.js";
import { registerWhoamiRoute } from "./routes/whoami.js";
import { trackShutdown } from "./shutdown-signal.js";
import { trackSseStreams } from "./sse.js";
import { closeUnusedConnectionsOnShutdown } from "./unused-connections.js";

export interface BuildApiOptions {
  /** pino options for Fastify's logger, or false for none (tests). */
  logger?: FastifyServerOptions["logger"];
  readiness?: Readiness;
  eventStream?: EventStreamOptions;
}

/** Request bodies above 1 MiB are refused with 413: a spec that large is a mistake, not a service. */
export const bodyLimitBytes = 1024 * 1024;

/**
 * Builds the HTTP API on a store that is already open. Nothing listens yet: tests call
 * `app.inject()`, the platform calls `app.listen()`.
 */
export async function buildApi(ctx: ApiContext, options: BuildApiOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    genReqId: requestIdFor,
    bodyLimit: bodyLimitBytes,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    ajv: undefined,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest("principal", null);
  installErrorHandlers(app);
  trackSseStreams(app);
  closeUnusedConnectionsOnShutdown(app);
  trackShutdown(app);

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
  });
  app.addHook("onRequest", authenticationHook(ctx.store));
  app.addHook("onSend", auditHook(ctx.store));

  await registerOpenApi(app, ctx.version);
  registerMetaRoutes(app, ctx, options.readiness ?? { ready: true });
  registerWhoamiRoute(app);
  registerTokenRoutes(app, ctx);
  registerUserRoutes(app, ctx);
  registerServiceRoutes(app, ctx);
  registerSecretRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  registerEventStreamRoute(app, ctx, options.eventStream);
  registerReleaseRoutes(app, ctx);
  registerDeploymentRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerPlatformDownRoute(app, ctx);
  await app.ready();
  return app;
}
