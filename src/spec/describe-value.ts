/** Words for values in error messages: `found "ten"`, `found a list`, `found an empty value`. */
export function describeFound(value: unknown): string {
  if (value === undefined || value === null) {
    return "an empty value";
  }
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  if (typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (Array.isArray(value)) {
    return "a list";
  }
  return typeof value === "object" ? "a mapping" : `a ${typeof value}`;
}

const EXPECTED_TYPES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  null: "an empty value",
};

/** Words for what a zod type check expected: `a whole number`, `a mapping`. */
export function describeExpected(type: string): string {
  return EXPECTED_TYPES[type] ?? `a ${type}`;
}

/** A literal value as it would be written in YAML. */
export function describeLiteral(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
