import * as z from "zod";
import { envVarNameSchema, stringValueSchema } from "./primitives.js";

/** Plain environment variables. */
export const envSchema = z.record(envVarNameSchema, stringValueSchema).meta({
  description:
    'Environment variables for every replica. Values are strings; numbers and booleans are kept exactly as written in the YAML (`ZIP: 01234` is "01234", `DEBUG: true` is "true"). Put credentials in `secrets`, not here.',
  examples: [{ NODE_ENV: "production", LOG_LEVEL: "info" }],
});

/** Names of secrets from the secret store, exposed as environment variables of the same name. */
export const secretsSchema = z
  .array(envVarNameSchema)
  .superRefine((names, ctx) => {
    const seen = new Set<string>();
    names.forEach((name, index) => {
      if (seen.has(name)) {
        ctx.addIssue({ code: "custom", path: [index], message: `secret ${name} is listed twice` });
      }
      seen.add(name);
    });
  })
  .meta({
    description:
      "Names of secrets to expose as environment variables. Only names live here; set values with `slipway secrets set NAME`.",
    examples: [["DATABASE_URL", "STRIPE_KEY"]],
  });
