import { usageError } from "./cli-error.js";

/** The longest `since` the server takes. */
const MAX_LENGTH = 40;

/**
 * `--since` as the logs and events APIs read it — a duration back from now (`10m`, `2h`, `1d`) or
 * an ISO-8601 (RFC 3339) time — checked here so that a typo is a usage error (exit 2) naming the
 * flag, not the server's 400. The text is sent unchanged: the server counts a duration back from
 * its own clock.
 *
 * @example await parseSince("2h") // "2h"
 * @example await parseSince("yesterday") // throws: --since "yesterday" is not a duration or time
 */
export async function parseSince(text: string, flag = "--since"): Promise<string> {
  // The spec module is loaded only by the commands that need it, to keep `slipway` quick to start.
  const { parseDuration } = await import("../spec/index.js");
  if (text.length <= MAX_LENGTH && (parseDuration(text) !== undefined || isIsoTime(text))) {
    return text;
  }
  throw usageError(
    `${flag} ${JSON.stringify(text)} is not a duration or time`,
    "use a duration back from now like 10m, 2h or 1d, or an ISO-8601 time like 2026-11-27T18:00:00Z",
  );
}

/** What the server takes as a time: a date, `T`, then anything `Date.parse` reads. */
function isIsoTime(text: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(text) && !Number.isNaN(Date.parse(text));
}
