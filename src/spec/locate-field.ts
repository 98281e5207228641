import { isNode, LineCounter, parseDocument } from "yaml";

/** `routes[0].host` or `environments.staging.routes[1].path` as the keys and indexes of YAML. */
function fieldKeys(field: string): (string | number)[] {
  return field
    .split(".")
    .flatMap((part) => part.split(/\[(\d+)\]/).filter((piece) => piece !== ""))
    .map((piece) => (/^\d+$/.test(piece) ? Number(piece) : piece));
}

/**
 * Where a field of a slipway.yaml is written, for errors found after parsing (a route another
 * service holds): the line and column of its value, or of the nearest part of its path that is
 * written, since a default (a route's `path`) has no place of its own.
 *
 * @example locateField("routes:\n  - host: a.example.com\n", "routes[0].host") // { line: 2, column: 11 }
 */
export function locateField(source: string, field: string): { line: number; column: number } | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter });
  const keys = fieldKeys(field);
  for (let length = keys.length; length > 0; length--) {
    const node = doc.getIn(keys.slice(0, length), true);
    if (isNode(node) && node.range) {
      const { line, col } = lineCounter.linePos(node.range[0]);
      return { line, column: col };
    }
  }
  return undefined;
}
