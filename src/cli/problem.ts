/** One field-level problem from an `application/problem+json` body's `errors[]`. */
export interface ProblemFieldError {
  field?: string;
  message: string;
  line?: number;
  column?: number;
  hint?: string;
}

/** An RFC 9457 problem document as the Slipway API sends it (fields the CLI uses). */
export interface Problem {
  status: number;
  title: string;
  detail?: string;
  type?: string;
  instance?: string;
  errors: ProblemFieldError[];
}

/**
 * Reads a problem document out of an error response body, tolerating anything: a proxy's HTML
 * page or an empty body still gives a usable problem built from the status line.
 */
export function toProblem(status: number, statusText: string, body: unknown): Problem {
  const record = isRecord(body) ? body : {};
  const problem: Problem = {
    status,
    title: stringField(record, "title") ?? (statusText || `HTTP ${status}`),
    errors: Array.isArray(record.errors) ? record.errors.flatMap(toFieldError) : [],
  };
  const detail = stringField(record, "detail");
  if (detail !== undefined) {
    problem.detail = detail;
  }
  const type = stringField(record, "type");
  if (type !== undefined) {
    problem.type = type;
  }
  const instance = stringField(record, "instance");
  if (instance !== undefined) {
    problem.instance = instance;
  }
  return problem;
}

function toFieldError(entry: unknown): ProblemFieldError[] {
  if (!isRecord(entry)) {
    return [];
  }
  const message = stringField(entry, "message");
  if (message === undefined) {
    return [];
  }
  const fieldError: ProblemFieldError = { message };
  const field = stringField(entry, "field");
  if (field !== undefined) {
    fieldError.field = field;
  }
  if (typeof entry.line === "number") {
    fieldError.line = entry.line;
  }
  if (typeof entry.column === "number") {
    fieldError.column = entry.column;
  }
  const hint = stringField(entry, "hint");
  if (hint !== undefined) {
    fieldError.hint = hint;
  }
  return [fieldError];
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
