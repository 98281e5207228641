import fastifySwagger from "@fastify/swagger";
import scalarReference from "@scalar/fastify-api-reference";
import type { FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";

const referencePrefix = "/api/v1/reference";

/**
 * Generates the OpenAPI 3.1 document from the routes' zod schemas and serves it, with a
 * browsable reference page (its script is bundled in the package: no CDN is needed).
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Slipway API",
        version,
        description:
          "The HTTP API of Slipway, the self-hosted internal developer platform. The CLI and the dashboard use nothing else.",
      },
      components: {
        securitySchemes: {
          bearer: { type: "http", scheme: "bearer", description: "A Slipway token (slp_…)." },
        },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.get("/api/v1/openapi.json", { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  // The reference page and its script are public, like the document they render.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith(referencePrefix)) {
      route.config = { ...route.config, public: true };
    }
  });
  await app.register(scalarReference, {
    routePrefix: referencePrefix,
    logLevel: "warn",
    configuration: { url: "/api/v1/openapi.json", title: "Slipway API reference" },
  });
}
