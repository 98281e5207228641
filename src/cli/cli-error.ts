import { ExitCode, type ExitCodeValue } from "./exit-codes.js";

/** What {@link CliError} carries besides its message. */
export interface CliErrorOptions {
  /** One line telling the user what to do next, printed as `hint: ...`. */
  hint?: string;
  /** Extra lines printed between the error and the hint, e.g. one line per invalid field. */
  details?: string[];
  /** The exit code the process ends with. Defaults to {@link ExitCode.failure}. */
  exitCode?: ExitCodeValue;
  /** The underlying error, shown only with `--debug`. */
  cause?: unknown;
}

/**
 * An error the user can act on. The CLI prints it as one `error: ...` line, its detail lines and
 * a `hint: ...` line, then exits with its code; stack traces appear only with `--debug`.
 */
export class CliError extends Error {
  readonly hint: string | undefined;
  readonly details: readonly string[];
  readonly exitCode: ExitCodeValue;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CliError";
    this.hint = options.hint;
    this.details = options.details ?? [];
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** A mistake on the command line: exits with {@link ExitCode.usage}. */
export function usageError(message: string, hint: string): CliError {
  return new CliError(message, { hint, exitCode: ExitCode.usage });
}
