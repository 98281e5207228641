import type { ServiceSpec } from "./schema/service-spec.js";

/**
 * One problem found in a slipway.yaml, pointing at the offending node.
 * `line` and `column` are 1-based; both are 0 for problems with the file as a whole (missing, too big).
 */
export interface SpecError {
  file: string;
  line: number;
  column: number;
  /** Key path of the offending value, like `health.readiness.period` or `routes[0].host`; "" for the file. */
  path: string;
  message: string;
  hint?: string;
}

/** The outcome of reading a spec: the normalised spec, or every error found (never just the first). */
export type SpecResult =
  | { ok: true; spec: ServiceSpec; warnings: SpecError[] }
  | { ok: false; errors: SpecError[] };

/** A key path inside the spec document: mapping keys and list indexes. */
export type SpecPath = readonly (string | number)[];

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * Renders a key path the way users read it: `health.readiness.period`, `routes[0].host`, `env["A B"]`.
 */
export function formatSpecPath(path: SpecPath): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") {
      text += `[${segment}]`;
    } else if (PLAIN_KEY.test(segment)) {
      text += text === "" ? segment : `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
  }
  return text;
}

/** Orders errors by position in the file, then by path, so output is stable and reads top to bottom. */
export function compareSpecErrors(a: SpecError, b: SpecError): number {
  return (
    a.line - b.line ||
    a.column - b.column ||
    a.path.localeCompare(b.path) ||
    a.message.localeCompare(b.message)
  );
}
