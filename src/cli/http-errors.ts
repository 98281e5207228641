import type { Problem } from "./problem.js";

/** The server answered with an error status; `problem` is its problem+json body. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly request: string;

  constructor(request: string, problem: Problem) {
    super(`${request} answered ${problem.status} ${problem.title}`);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
    this.request = request;
  }
}

/** Why the server could not be reached. */
export type UnreachableReason = "refused" | "timeout" | "not-found" | "reset" | "other";

/** No answer from the server at all: nothing listening, no such host, or too slow. */
export class UnreachableError extends Error {
  readonly url: string;
  readonly reason: UnreachableReason;

  constructor(url: string, reason: UnreachableReason, cause: unknown) {
    super(`cannot reach ${url} (${reason})`, { cause });
    this.name = "UnreachableError";
    this.url = url;
    this.reason = reason;
  }
}

/** Classifies a fetch failure for the message and hint the user gets. */
export function unreachableReason(error: unknown): UnreachableReason {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return "timeout";
  }
  const code = errorCode(error);
  if (code === "ECONNREFUSED") {
    return "refused";
  }
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") {
    return "not-found";
  }
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") {
    return "reset";
  }
  return "other";
}

/** Finds the system error code undici hides in `cause` (or in an AggregateError's first error). */
export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === "string") {
      return code;
    }
    current =
      current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : current.cause;
  }
  return undefined;
}
