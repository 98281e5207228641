/**
 * Every exit code the `slipway` command uses, in one place so scripts can rely on them.
 * docs/cli.md documents the same table; keep the two in step.
 */
export const ExitCode = {
  /** The command did what was asked. */
  ok: 0,
  /** The command failed, or the input (a slipway.yaml, a request body) is invalid. */
  failure: 1,
  /** The command line is wrong: unknown command or option, missing or extra argument. */
  usage: 2,
  /** Not logged in, or the token is invalid, expired or revoked (HTTP 401). */
  unauthenticated: 3,
  /** Logged in, but the role does not allow this (HTTP 403). */
  forbidden: 4,
  /** The service, token, secret or file does not exist (HTTP 404). */
  notFound: 5,
  /** It already exists (HTTP 409), e.g. `slipway init` finding a slipway.yaml without --force. */
  conflict: 6,
  /** The Slipway server cannot be reached, timed out, or is starting or stopping (HTTP 503). */
  unreachable: 7,
  /** A bug: an unexpected error in the CLI, an unexpected answer or a 5xx from the server. */
  internal: 70,
  /** Cancelled with Ctrl-C at a prompt (128 + SIGINT). */
  interrupted: 130,
} as const;

/** One of the values of {@link ExitCode}. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
