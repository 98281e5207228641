import { CommanderError } from "commander";
import { DataDirLockedError } from "../api/data-dir-locked-error.js";
import { StoreError } from "../store/store-error.js";
import { CliError } from "./cli-error.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { ApiError, UnreachableError } from "./http-errors.js";
import type { Problem, ProblemFieldError } from "./problem.js";

/** What the mapping needs to know to write good hints. */
export interface ErrorContext {
  /** The server URL the command talked to. */
  url: string;
  /** The spec file a request carried, used to prefix line/column details. */
  file?: string;
  /** The command line's command path, e.g. `tokens create`, for usage hints. */
  command?: string;
}

/**
 * Turns anything a command threw into a {@link CliError}: one message, details, a hint and an
 * exit code. Unknown errors become {@link ExitCode.internal} (a bug, shown in full with --debug).
 */
export function toCliError(error: unknown, context: ErrorContext): CliError {
  if (error instanceof CliError) {
    return error;
  }
  if (error instanceof ApiError) {
    return fromProblem(error.problem, context, error);
  }
  if (error instanceof UnreachableError) {
    return fromUnreachable(error);
  }
  if (error instanceof CommanderError) {
    return fromCommander(error, context.command);
  }
  if (error instanceof StoreError) {
    // Its message already says what is wrong and what to fix (a database URL, a data directory).
    const exitCode = error.code === "database_in_use" ? ExitCode.conflict : ExitCode.failure;
    return new CliError(error.message, { exitCode, cause: error });
  }
  if (error instanceof DataDirLockedError) {
    return new CliError(error.message, { exitCode: ExitCode.conflict, cause: error });
  }
  const systemCode = (error as NodeJS.ErrnoException | undefined)?.code;
  if (systemCode === "ENOSPC" || systemCode === "EDQUOT") {
    // Not a bug: the machine's disk (or the user's quota) is full.
    const path = (error as NodeJS.ErrnoException).path;
    return new CliError(`the disk is full${path ? ` (writing ${path})` : ""}`, {
      hint: "free some space and try again; `du -sh ~/.slipway/*` shows what the data directory holds (replica logs are under logs/, releases under releases/)",
      exitCode: ExitCode.failure,
      cause: error,
    });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new CliError(`unexpected error: ${message}`, {
    hint: "run again with --debug for the stack trace, and report it if it persists",
    exitCode: ExitCode.internal,
    cause: error,
  });
}

function fromProblem(problem: Problem, context: ErrorContext, cause: ApiError): CliError {
  const detail = problem.detail ?? problem.title;
  // A detail that already says what its one field error says is not repeated under it.
  const details = problem.errors
    .map((fieldError) => formatFieldError(fieldError, context.file))
    .filter((line) => !detail.includes(line));
  const make = (message: string, exitCode: ExitCodeValue, hint?: string) =>
    new CliError(message, { exitCode, details, cause, ...(hint === undefined ? {} : { hint }) });
  switch (problem.status) {
    case 401:
      return make(
        "your token is invalid, expired or revoked",
        ExitCode.unauthenticated,
        `run \`slipway login ${context.url}\``,
      );
    case 403:
      return make(
        detail,
        ExitCode.forbidden,
        "your role does not allow this; ask an admin for a role on this environment (`slipway whoami` shows yours)",
      );
    case 404:
      return make(detail, ExitCode.notFound, "check the name; `slipway services` lists what exists");
    case 409:
      return make(detail, ExitCode.conflict);
    case 413:
      return make(detail, ExitCode.failure, "the request is too large; make the file or value smaller");
    case 422:
      return make(
        details.length > 0
          ? `${detail} (${details.length} ${details.length === 1 ? "error" : "errors"})`
          : detail,
        ExitCode.failure,
        "fix the errors above; `slipway validate` checks a file locally",
      );
    case 503:
      return make(detail, ExitCode.unreachable, "the server is starting or stopping; try again in a moment");
    default:
      if (problem.status >= 500) {
        return make(
          `the server failed: ${detail}`,
          ExitCode.internal,
          "see the server's log (the `slipway up` terminal) for this request",
        );
      }
      return make(detail, ExitCode.failure);
  }
}

/** Formats one field problem as `file:line:column: field: message (hint)`, each part only when known. */
export function formatFieldError(fieldError: ProblemFieldError, file?: string): string {
  const place =
    fieldError.line === undefined
      ? ""
      : `${file ?? "<input>"}:${fieldError.line}:${fieldError.column ?? 1}: `;
  const field = fieldError.field ? `${fieldError.field}: ` : "";
  const hint = fieldError.hint ? ` (${fieldError.hint})` : "";
  return `${place}${field}${fieldError.message}${hint}`;
}

function fromUnreachable(error: UnreachableError): CliError {
  if (error.reason === "timeout") {
    return new CliError(`Slipway at ${error.url} did not answer in time`, {
      hint: "the server may be overloaded or the network slow; try again, or check `slipway up`'s log",
      exitCode: ExitCode.unreachable,
      cause: error,
    });
  }
  const hint =
    error.reason === "not-found"
      ? "check the host name in the URL (`slipway login <url>`, --url or SLIPWAY_URL)"
      : "is `slipway up` running? the URL comes from `slipway login`, --url or SLIPWAY_URL";
  return new CliError(`cannot reach Slipway at ${error.url}`, {
    hint,
    exitCode: ExitCode.unreachable,
    cause: error,
  });
}

/** Commander's parse errors are usage errors (exit 2); its suggestion becomes the hint. */
function fromCommander(error: CommanderError, command: string | undefined): CliError {
  const lines = error.message
    .replace(/^error: /, "")
    .split("\n")
    .filter((line) => line.trim() !== "");
  const message = lines[0] ?? "invalid command line";
  const suggestion = lines
    .slice(1)
    .join(" ")
    .replace(/^\((.*)\)$/, "$1");
  const hint = suggestion
    ? `${suggestion.charAt(0).toLowerCase()}${suggestion.slice(1)}`
    : `run \`slipway ${command ? `${command} ` : ""}--help\` to see the usage`;
  return new CliError(message, { hint, exitCode: ExitCode.usage, cause: error });
}
