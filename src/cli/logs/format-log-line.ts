import type { Colors } from "../output/colors.js";
import { escapeControlChars } from "../output/control-chars.js";
import type { LogLine } from "../run-api-schemas.js";

/**
 * One log line for people: `TIME REPLICA STREAM text`, the time local with milliseconds, stderr
 * highlighted (when colours are on), a cut line marked as such, control characters shown as
 * `\x1b` rather than sent to the terminal.
 *
 * @example formatLogLine({ at: "…", replica: "r-1a2b", stream: "stdout", line: "listening" }, colors)
 * // "2025-01-31 14:05:09.120 r-1a2b stdout listening"
 */
export function formatLogLine(line: LogLine, colors: Colors): string {
  const error = line.stream === "stderr";
  const text = escapeControlChars(line.line);
  const parts = [
    colors.dim(formatLogTime(line.at)),
    colors.cyan(line.replica ?? "build"),
    error ? colors.yellow("stderr") : colors.dim(line.stream),
    error ? colors.yellow(text) : text,
  ];
  if (line.truncated) {
    parts.push(colors.dim("[truncated]"));
  }
  return parts.join(" ");
}

/** `2025-01-31 14:05:09.120` in local time: sortable, and precise enough to order lines. */
export function formatLogTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) {
    return iso;
  }
  const pad = (value: number, size = 2) => String(value).padStart(size, "0");
  const date = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  return `${date} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}.${pad(at.getMilliseconds(), 3)}`;
}
