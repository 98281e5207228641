import * as z from "zod";
import { serviceSpecSchema } from "./schema/service-spec.js";

/** Default `$id` of the slipway.yaml JSON Schema. */
export const SERVICE_SPEC_SCHEMA_ID = "https://slipway.dev/schemas/slipway.json";

/**
 * The JSON Schema (draft 2020-12) of slipway.yaml, generated from the zod schema on its input side, so
 * editors complete and check what users type (`"30s"`, `"256Mi"`), with the descriptions and examples
 * written beside each field.
 *
 * @example
 * // slipway.yaml, first line:
 * // # yaml-language-server: $schema=http://127.0.0.1:7420/api/v1/schema/slipway.json
 */
export function serviceSpecJsonSchema(options: { id?: string } = {}): Record<string, unknown> {
  const generated = z.toJSONSchema(serviceSpecSchema, {
    target: "draft-2020-12",
    io: "input",
    override: ({ zodSchema, jsonSchema }) => {
      // zod drops examples of transforming schemas on the input side (they would be outputs in
      // general); ours are written as input, so put them back.
      const examples: unknown = z.globalRegistry.get(zodSchema)?.examples;
      if (Array.isArray(examples) && jsonSchema.examples === undefined) {
        jsonSchema.examples = examples;
      }
    },
  });
  const { $schema, ...rest } = generated;
  return { $schema, $id: options.id ?? SERVICE_SPEC_SCHEMA_ID, ...rest };
}
