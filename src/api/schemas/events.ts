import { z } from "zod";
import type { EventRecord } from "../../store/index.js";
import { dnsLabel } from "./common.js";

export const eventSchema = z
  .object({
    seq: z.number().int(),
    id: z.string(),
    at: z.string(),
    kind: z.string(),
    service: z.string().nullable(),
    environment: z.string().nullable(),
    actor: z.string().nullable(),
    message: z.string(),
    data: z.unknown(),
  })
  .meta({ id: "Event", description: "One entry of the append-only timeline." });

export const eventKind = z
  .string()
  .max(100)
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?$/,
    'must be a kind like "secret.set", or a prefix like "replica.*"',
  );

export const eventFilterQuery = z.strictObject({
  service: dnsLabel.optional(),
  environment: dnsLabel.optional(),
  kind: eventKind.optional(),
  since: z.string().max(40).optional().describe('RFC 3339 time or a duration back from now, e.g. "10m".'),
  until: z.string().max(40).optional(),
  after: z.coerce.number().int().min(0).optional().describe("Only events with a sequence number above this."),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

export function eventView(e: EventRecord) {
  return {
    seq: Number(e.seq),
    id: e.id,
    at: e.at,
    kind: e.kind,
    service: e.service,
    environment: e.environment,
    actor: e.actor,
    message: e.message,
    data: e.data ?? null,
  };
}
