import type { SpecError } from "./spec-error.js";

/**
 * Formats one error as a single line a terminal or editor can jump to, plus an indented hint line.
 *
 * @example
 * formatSpecError(error)
 * // slipway.yaml:12:5: health.readiness.period: expected a duration like "10s" or "5m", found "ten"
 * //   hint: durations need a unit: ms, s, m, h or d
 */
export function formatSpecError(error: SpecError): string {
  const place = error.line > 0 ? `${error.file}:${error.line}:${error.column}` : error.file;
  const subject = error.path === "" ? "" : `${error.path}: `;
  const line = `${place}: ${subject}${error.message}`;
  return error.hint === undefined ? line : `${line}\n  hint: ${error.hint}`;
}
