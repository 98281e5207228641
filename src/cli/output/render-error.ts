import type { CliError } from "../cli-error.js";
import type { Colors } from "./colors.js";

/**
 * The text printed for an error: `error: <message>`, its detail lines indented, `hint: <hint>`;
 * with `debug`, the stack traces of the error and its causes after that.
 */
export function renderError(error: CliError, options: { colors: Colors; debug: boolean }): string {
  const { colors } = options;
  const lines = [`${colors.red(colors.bold("error:"))} ${error.message}`];
  for (const detail of error.details) {
    lines.push(`  ${detail}`);
  }
  if (error.hint) {
    lines.push(`${colors.cyan("hint:")} ${error.hint}`);
  }
  if (options.debug) {
    lines.push(...stackLines(error));
  }
  return `${lines.join("\n")}\n`;
}

function stackLines(error: Error): string[] {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined; depth += 1) {
    const text =
      current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current);
    lines.push(depth === 0 ? text : `caused by: ${text}`);
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines;
}
