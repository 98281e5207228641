import { parseDuration } from "../spec/index.js";
import { HttpProblem } from "./problem.js";

/**
 * Reads a time bound given either as an RFC 3339 time or as a duration back from now ("10m"),
 * the way `kubectl logs --since` and Prometheus users expect. Returns ISO-8601 UTC.
 */
export function timeBound(value: string | undefined, field: string, now: Date): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const ago = parseDuration(value);
  if (ago !== undefined) {
    return new Date(now.getTime() - ago).toISOString();
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) {
      return new Date(at).toISOString();
    }
  }
  const message = 'expected an RFC 3339 time like "2026-11-27T18:00:00Z" or a duration like "10m"';
  throw new HttpProblem(400, "invalid-request", `query.${field}: ${message}, found "${value}"`, {
    errors: [{ field: `query.${field}`, message }],
  });
}
