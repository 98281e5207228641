import { z } from "zod";

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          field: z.string(),
          message: z.string(),
          line: z.number().int().optional(),
          column: z.number().int().optional(),
          hint: z.string().optional(),
        }),
      )
      .optional(),
  })
  .meta({ id: "Problem", description: "An RFC 9457 problem document." });

/** Error responses every authenticated route may give, for the OpenAPI document. */
export const authErrors = { 401: problemSchema, 403: problemSchema } as const;

/** A DNS-1123 label: safe in hostnames, paths and process names. */
export const dnsLabel = z
  .string()
  .max(63)
  .regex(
    /^[a-z]([-a-z0-9]*[a-z0-9])?$/,
    "must be a DNS label: lowercase letters, digits and '-', starting with a letter",
  );

export const environmentOrAll = z
  .string()
  .max(63)
  .regex(/^(\*|[a-z]([-a-z0-9]*[a-z0-9])?)$/, "must be an environment name or *");

export const noContent = z.null().describe("No content");
