import { stripVTControlCharacters } from "node:util";
import type { Colors } from "./colors.js";

/**
 * Renders rows as aligned columns separated by two spaces, with a header row (dimmed when colours
 * are on). Widths count visible characters, so coloured cells line up; trailing spaces are trimmed.
 *
 * @example renderTable(["NAME", "ROLE"], [["alice", "admin"]]) // "NAME   ROLE\nalice  admin"
 */
export function renderTable(header: string[], rows: string[][], colors?: Colors): string {
  const widths = header.map((title, column) =>
    Math.max(visibleLength(title), ...rows.map((row) => visibleLength(row[column] ?? ""))),
  );
  const renderRow = (cells: string[]) =>
    cells
      .map((cell, column) => cell + " ".repeat((widths[column] ?? 0) - visibleLength(cell)))
      .join("  ")
      .trimEnd();
  const headerLine = renderRow(header);
  return [colors ? colors.dim(headerLine) : headerLine, ...rows.map(renderRow)].join("\n");
}

function visibleLength(text: string): number {
  return [...stripVTControlCharacters(text)].length;
}
