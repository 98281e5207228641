/** What went wrong, for callers that react differently (e.g. retry a start, report a bad spec). */
export type RuntimeErrorCode =
  /** The spec cannot be run as written (bad id, missing working directory, …). */
  | "invalid-spec"
  /** A replica with this id is still running. */
  | "already-running"
  /** No replica with this id is known to this runtime. */
  | "unknown-replica"
  /** The replica could not be started; the message carries the reason. */
  | "start-failed"
  /** The replica did not end even after SIGKILL. */
  | "stop-failed";

/**
 * An error of the runtime with a code and a message that names the replica and the fix.
 *
 * @example
 * throw new RuntimeError("invalid-spec", `replica "api-1": working directory /srv/x does not exist; build the release first`);
 */
export class RuntimeError extends Error {
  readonly code: RuntimeErrorCode;

  constructor(code: RuntimeErrorCode, message: string) {
    super(message);
    this.name = "RuntimeError";
    this.code = code;
  }
}
