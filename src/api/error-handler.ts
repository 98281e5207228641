import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";
import { type FieldProblem, HttpProblem, pathOf, problemDocument, sendProblem } from "./problem.js";

interface ValidationItem {
  instancePath?: string;
  message?: string;
}

function fieldName(context: string | undefined, instancePath: string | undefined): string {
  const where = context === "querystring" ? "query" : (context ?? "body");
  const path = (instancePath ?? "").split("/").filter(Boolean).join(".");
  return path ? `${where}.${path}` : where;
}

function validationProblems(error: FastifyError): FieldProblem[] {
  const items = (error.validation ?? []) as ValidationItem[];
  return items.map((item) => ({
    field: fieldName(error.validationContext, item.instancePath),
    message: item.message ?? "is invalid",
  }));
}

/** Fastify's own client errors, by code, as problem slugs with a message a person can act on. */
const fastifyClientErrors: Record<string, { slug: string; detail: (e: FastifyError) => string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    slug: "body-too-large",
    detail: () => "The request body is larger than the 1 MiB this API accepts.",
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    slug: "unsupported-media-type",
    detail: () => "Send the body as JSON with `Content-Type: application/json`.",
  },
  FST_ERR_CTP_INVALID_JSON_BODY: {
    slug: "malformed-json",
    detail: (e) => `The body is not valid JSON: ${e.message}`,
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    slug: "malformed-json",
    detail: () =>
      "The body is empty but the Content-Type says JSON. Send a JSON document or no Content-Type.",
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    slug: "bad-content-length",
    detail: () => "The Content-Length header does not match the body.",
  },
};

/**
 * Turns every error into `application/problem+json`. Client errors say what to fix; server
 * errors say only that something failed and give the request id, never a stack trace.
 */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const instance = pathOf(request.url);
    if (error instanceof HttpProblem) {
      reply.headers(error.headers);
      return sendProblem(
        reply,
        problemDocument(error.status, error.slug, error.message, instance, error.errors),
      );
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      const errors = validationProblems(error);
      const summary = errors.map((e) => `${e.field}: ${e.message}`).join("; ");
      return sendProblem(
        reply,
        problemDocument(400, "invalid-request", `The request is invalid: ${summary}`, instance, errors),
      );
    }
    const known = error.code ? fastifyClientErrors[error.code] : undefined;
    if (known && error.statusCode !== undefined) {
      return sendProblem(reply, problemDocument(error.statusCode, known.slug, known.detail(error), instance));
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendProblem(reply, problemDocument(error.statusCode, "bad-request", error.message, instance));
    }
    request.log.error({ err: error }, "request failed");
    return sendProblem(
      reply,
      problemDocument(
        500,
        "internal-error",
        `Slipway failed to handle this request. Look for request id ${request.id} in the platform log.`,
        instance,
      ),
    );
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) =>
    sendProblem(
      reply,
      problemDocument(
        404,
        "route-not-found",
        `No route ${request.method} ${pathOf(request.url)}. The API reference is at /api/v1/reference.`,
        pathOf(request.url),
      ),
    ),
  );
}
