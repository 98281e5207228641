import type { FastifyReply } from "fastify";

/** One field-level problem inside an RFC 9457 problem document. */
export interface FieldProblem {
  /** Where: `body.name`, `query.limit`, `spec.health.period`… */
  field: string;
  message: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** An RFC 9457 problem document, as every API error is sent. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: FieldProblem[];
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const problemTypeBase = "https://slipway.dev/problems/";

/**
 * An error a client caused, thrown from a handler and turned into `application/problem+json`
 * by the error handler. `slug` names the problem type (`token-expired`, `spec-invalid`…).
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly errors: FieldProblem[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    detail: string,
    options: { errors?: FieldProblem[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "HttpProblem";
    this.status = status;
    this.slug = slug;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export function problemDocument(
  status: number,
  slug: string,
  detail: string,
  instance: string | undefined,
  errors?: FieldProblem[],
): ProblemDocument {
  const doc: ProblemDocument = {
    type: `${problemTypeBase}${slug}`,
    title: titles[status] ?? "Error",
    status,
    detail,
  };
  if (instance !== undefined) {
    doc.instance = instance;
  }
  if (errors && errors.length > 0) {
    doc.errors = errors;
  }
  return doc;
}

export function sendProblem(reply: FastifyReply, doc: ProblemDocument): FastifyReply {
  return reply.code(doc.status).type("application/problem+json; charset=utf-8").send(doc);
}

/** The request path without its query string: query strings may carry things we never echo. */
export function pathOf(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}
