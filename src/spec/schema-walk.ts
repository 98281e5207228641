import * as z from "zod";
import type { SpecPath } from "./spec-error.js";

/**
 * Finds what the schema says about a place in the input: the keys allowed there (for "did you mean")
 * and the field's description and examples (for hints). Walks the input side: pipes by their input,
 * unions by every option.
 */

type Schema = z.core.$ZodType;

/** Field documentation set with `.meta()`. */
export interface FieldMeta {
  description?: string;
  examples?: unknown[];
}

/** The schema layers at `path`, outermost wrapper first, for every union option that has the path. */
function layersAt(root: Schema, path: SpecPath): Schema[][] {
  let current: Schema[][] = [layersOf(root)];
  for (const segment of path) {
    current = current
      .flatMap((layers) => structuralOf(layers))
      .flatMap((schema) => childrenOf(schema, segment));
  }
  return current;
}

/** A schema and the wrappers it contains, down to the first object, record, array, union or primitive. */
function layersOf(schema: Schema): Schema[] {
  const layers: Schema[] = [schema];
  let inner = unwrapOnce(schema);
  while (inner) {
    layers.push(inner);
    inner = unwrapOnce(inner);
  }
  return layers;
}

function unwrapOnce(schema: Schema): Schema | undefined {
  if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault ||
    schema instanceof z.ZodPrefault ||
    schema instanceof z.ZodNonOptional ||
    schema instanceof z.ZodReadonly ||
    schema instanceof z.ZodCatch
  ) {
    return schema.unwrap();
  }
  return schema instanceof z.ZodPipe ? schema.in : undefined;
}

/** The innermost layer, with unions opened into their options. */
function structuralOf(layers: Schema[]): Schema[] {
  const innermost = layers.at(-1);
  if (innermost instanceof z.ZodUnion) {
    return innermost.options.flatMap((option: Schema) => structuralOf(layersOf(option)));
  }
  return innermost ? [innermost] : [];
}

function childrenOf(schema: Schema, segment: string | number): Schema[][] {
  if (schema instanceof z.ZodObject && typeof segment === "string") {
    const field = Object.hasOwn(schema.shape, segment) ? schema.shape[segment] : undefined;
    return field ? [layersOf(field)] : [];
  }
  if (schema instanceof z.ZodRecord) {
    return [layersOf(schema.valueType)];
  }
  if (schema instanceof z.ZodArray && typeof segment === "number") {
    return [layersOf(schema.element)];
  }
  return [];
}

/** Keys a mapping at `path` may have, in schema order; empty when the path is not a fixed-key mapping. */
export function allowedKeysAt(root: Schema, path: SpecPath): string[] {
  const keys = layersAt(root, path)
    .flatMap((layers) => structuralOf(layers))
    .flatMap((schema) => (schema instanceof z.ZodObject ? Object.keys(schema.shape) : []));
  return [...new Set(keys)];
}

/** Description and examples of the field at `path`: the outermost layer that has each wins. */
export function fieldMetaAt(root: Schema, path: SpecPath): FieldMeta {
  const meta: FieldMeta = {};
  for (const layer of layersAt(root, path).flat()) {
    const found = z.globalRegistry.get(layer);
    meta.description ??= typeof found?.description === "string" ? found.description : undefined;
    meta.examples ??= Array.isArray(found?.examples) ? found.examples : undefined;
  }
  return meta;
}
