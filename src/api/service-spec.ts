import type { ServiceSpec, SpecError } from "../spec/index.js";
import type { DeclaredEnvironment, ServiceWithEnvironments } from "../store/index.js";
import { findService } from "../store/index.js";
import type { ApiContext } from "./context.js";
import { HttpProblem } from "./problem.js";

/** The environments a spec declares, in promotion order, with whether each needs approval. */
export function declaredEnvironments(spec: ServiceSpec): DeclaredEnvironment[] {
  return spec.environments.map((e) => ({ name: e.name, approvalRequired: e.approval === "required" }));
}

/** A 422 listing every spec error with its line and column. */
export function specProblem(errors: SpecError[], file: string): HttpProblem {
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : "";
  const detail = first
    ? `${file} is invalid: ${first.line}:${first.column} ${first.path}: ${first.message}${more}`
    : `${file} is invalid.`;
  return new HttpProblem(422, "spec-invalid", detail, {
    errors: errors.map((e) => ({
      field: e.path ? `spec.${e.path}` : "spec",
      message: e.message,
      line: e.line,
      column: e.column,
      ...(e.hint ? { hint: e.hint } : {}),
    })),
  });
}

export async function requireService(ctx: ApiContext, name: string): Promise<ServiceWithEnvironments> {
  const service = await findService(ctx.store.db, name);
  if (!service) {
    throw new HttpProblem(
      404,
      "service-not-found",
      `No service "${name}". Create it with \`slipway apply\`.`,
    );
  }
  return service;
}
