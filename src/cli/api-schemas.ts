import { z } from "zod";

// The shapes of the API answers the CLI reads (see the OpenAPI document at /api/v1/openapi.json).
// Only the fields the CLI uses are required, so a newer server adding fields never breaks it.

const timestamp = z.string();

/** GET /api/v1/version */
export const versionResponse = z.object({
  version: z.string(),
  node: z.string().optional(),
  engine: z.string().optional(),
});

/** GET /api/v1/whoami */
export const whoamiResponse = z.object({
  user: z.object({ id: z.string(), name: z.string() }),
  roles: z.array(z.object({ role: z.string(), environment: z.string() })),
  token: z.object({ id: z.string(), name: z.string(), expiresAt: timestamp.nullable() }),
});

/** One token as listed (the secret part is never listed). */
export const tokenSummary = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  user: z.string().optional(),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
  lastUsedAt: timestamp.nullable(),
});

/** GET /api/v1/tokens */
export const tokenListResponse = z.object({ tokens: z.array(tokenSummary) });

/** POST /api/v1/tokens */
export const issuedTokenResponse = z.object({
  token: z.string(),
  id: z.string(),
  name: z.string(),
  prefix: z.string().optional(),
  expiresAt: timestamp.nullable(),
});

/** GET /api/v1/services */
export const serviceListResponse = z.object({
  services: z.array(
    z.object({
      name: z.string(),
      environments: z.array(z.union([z.string(), z.object({ name: z.string() })])),
      createdAt: timestamp.optional(),
      updatedAt: timestamp.optional(),
    }),
  ),
});

/** PUT /api/v1/services/:name */
export const serviceWriteResponse = z.object({
  service: z.object({ name: z.string() }),
});

const release = z.object({ version: z.union([z.string(), z.number()]) });

/** GET /api/v1/services/:name/status */
export const serviceStatusResponse = z.object({
  service: z.union([z.string(), z.object({ name: z.string() })]),
  environments: z.array(
    z.object({
      name: z.string(),
      release: release.nullable().optional(),
      replicas: z.array(z.unknown()).optional(),
    }),
  ),
});

/** GET /api/v1/services/:name/secrets */
export const secretListResponse = z.object({
  secrets: z.array(
    z.object({
      name: z.string(),
      environment: z.string(),
      updatedAt: timestamp.optional(),
      updatedBy: z.string().nullable().optional(),
    }),
  ),
});

/** PUT /api/v1/services/:name/secrets/:key */
export const secretWriteResponse = z.object({
  name: z.string(),
  environment: z.string(),
  updatedAt: timestamp.optional(),
});

/** One entry of the event log. */
export const eventRecord = z.object({
  seq: z.number(),
  id: z.string().optional(),
  at: timestamp,
  kind: z.string(),
  service: z.string().nullable().optional(),
  environment: z.string().nullable().optional(),
  actor: z.string().nullable().optional(),
  message: z.string().nullable().optional(),
  data: z.unknown().optional(),
});

/** An event as the CLI reads it. */
export type EventRecord = z.infer<typeof eventRecord>;

/** GET /api/v1/events; `truncated` (more events matched than the limit let through) is newer. */
export const eventListResponse = z.object({
  events: z.array(eventRecord),
  truncated: z.boolean().optional(),
});
