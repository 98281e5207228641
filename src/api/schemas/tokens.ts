import { z } from "zod";

export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().describe("The first characters of the token, to tell tokens apart."),
    user: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .meta({ id: "Token" });

export const createTokenBody = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]*$/, "must be letters, digits, spaces, '.', '_' or '-'"),
  expiresIn: z
    .string()
    .max(16)
    .optional()
    .describe('How long the token lives, e.g. "30d", "12h". Default: never.'),
  user: z.string().max(63).optional().describe("Issue the token for another user (admin only)."),
});

export const issuedTokenSchema = z.object({
  token: z.string().describe("The token itself. Shown only in this response."),
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  user: z.string(),
  expiresAt: z.string().nullable(),
});
