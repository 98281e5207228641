import { DURATION_PATTERN } from "./durations.js";
import {
  DNS_LABEL_PATTERN,
  ENV_VAR_NAME_PATTERN,
  PROMETHEUS_NAME_PATTERN,
  ROUTE_HOST_PATTERN,
} from "./names.js";
import { CPU_PATTERN, MEMORY_PATTERN } from "./quantities.js";

/** One documented field of slipway.yaml, read off the JSON Schema. */
export interface FieldDoc {
  /** `health.readiness.period`, `routes[].host`, `environments.<name>.approval`. */
  path: string;
  type: string;
  required: boolean;
  default?: unknown;
  description?: string;
  examples: unknown[];
  /** Set when the field has the same sub-fields as an earlier one, which documents them. */
  sameAs?: string;
}

type JsonSchema = Record<string, unknown>;

const PATTERN_NAMES: Record<string, string> = {
  [DURATION_PATTERN]: "duration",
  [MEMORY_PATTERN]: "memory size",
  [CPU_PATTERN]: "millicores",
  [DNS_LABEL_PATTERN]: "DNS label",
  [ENV_VAR_NAME_PATTERN]: "variable name",
  [PROMETHEUS_NAME_PATTERN]: "Prometheus name",
  [ROUTE_HOST_PATTERN]: "hostname",
  "^\\/[^\\s?#]*$": "URL path",
  "^(?:100|[1-9]?\\d)%$": "percentage",
};

/** Every field, depth first in schema order. Environment overrides are listed one level deep only. */
export function collectFields(schema: JsonSchema): FieldDoc[] {
  return fieldsOf(schema, "", new Map());
}

/** Earlier fields by the shape of their sub-fields, so the three probes are documented once. */
type Documented = Map<string, string>;

function fieldsOf(node: JsonSchema, prefix: string, documented: Documented): FieldDoc[] {
  const fields: FieldDoc[] = [];
  for (const shape of objectShapes(node)) {
    const properties = asRecord(shape.properties);
    const required = Array.isArray(shape.required) ? shape.required : [];
    for (const [key, child] of Object.entries(properties)) {
      const path = prefix === "" ? key : `${prefix}.${key}`;
      const childSchema = asRecord(child);
      const field = describeField(path, childSchema, required.includes(key));
      const nested = /^environments\.<name>\./.test(path)
        ? []
        : nestedFields(childSchema, path, new Map(documented));
      const { description: _description, examples: _examples, ...shape } = childSchema;
      const earlier = nested.length > 0 ? documented.get(JSON.stringify(shape)) : undefined;
      if (earlier === undefined) {
        documented.set(JSON.stringify(shape), path);
        fields.push(field, ...nested);
      } else {
        fields.push({ ...field, sameAs: earlier });
      }
    }
  }
  return fields;
}

/** Fields inside a field: its own keys, its list items' keys, or the entries of a named map. */
function nestedFields(node: JsonSchema, path: string, documented: Documented): FieldDoc[] {
  const items = options(node).map((option) => asRecord(option.items));
  const entries = options(node).map((option) => asRecord(option.additionalProperties));
  return [
    ...fieldsOf(node, path, documented),
    ...items.flatMap((item) => fieldsOf(item, `${path}[]`, documented)),
    ...entries.flatMap((entry) => fieldsOf(entry, `${path}.<name>`, documented)),
  ];
}

function describeField(path: string, node: JsonSchema, required: boolean): FieldDoc {
  return {
    path,
    type: typeOf(node),
    required,
    ...("default" in node ? { default: node.default } : {}),
    ...(typeof node.description === "string" ? { description: node.description } : {}),
    examples: Array.isArray(node.examples) ? node.examples : [],
  };
}

/** A short type name: `duration`, `integer`, `list of string`, `"rolling" or "canary"`. */
export function typeOf(node: JsonSchema): string {
  if (Array.isArray(node.anyOf)) {
    return [...new Set(node.anyOf.map((option) => typeOf(asRecord(option))))].join(" or ");
  }
  if ("const" in node) {
    return JSON.stringify(node.const);
  }
  if (Array.isArray(node.enum)) {
    return node.enum.map((value) => JSON.stringify(value)).join(" or ");
  }
  if (Array.isArray(node.type)) {
    return node.type.join(" or ");
  }
  switch (node.type) {
    case "string":
      return (typeof node.pattern === "string" ? PATTERN_NAMES[node.pattern] : undefined) ?? "string";
    case "array":
      return `list of ${typeOf(asRecord(node.items))}`;
    case "object":
      return node.properties
        ? "mapping"
        : `map of ${typeOf(asRecord(node.propertyNames))} to ${typeOf(asRecord(node.additionalProperties))}`;
    default:
      return typeof node.type === "string" ? node.type : "any";
  }
}

function options(node: JsonSchema): JsonSchema[] {
  return Array.isArray(node.anyOf) ? node.anyOf.map(asRecord) : [node];
}

function objectShapes(node: JsonSchema): JsonSchema[] {
  return options(node).filter((option) => option.properties !== undefined);
}

function asRecord(value: unknown): JsonSchema {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonSchema) : {};
}
