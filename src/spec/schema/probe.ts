import * as z from "zod";
import { commandSchema, durationAtLeast, durationSchema, portSchema, urlPathSchema } from "./primitives.js";

// One health probe, as in Kubernetes: one way to check (http, tcp or command) plus timing.

/** What a probe checks. `port` defaults to the service's port. */
export type ProbeCheck =
  | { type: "http"; path: string; port?: number }
  | { type: "tcp"; port?: number }
  | { type: "command"; command: string };

/** A normalised health probe; durations are in milliseconds. */
export interface Probe {
  check: ProbeCheck;
  initialDelay: number;
  period: number;
  timeout: number;
  failureThreshold: number;
  successThreshold: number;
}

/** Kubernetes' probe defaults, in the input form. */
export const PROBE_DEFAULTS = {
  initialDelay: "0s",
  period: "10s",
  timeout: "1s",
  failureThreshold: 3,
  successThreshold: 1,
} as const;

const httpCheckSchema = z
  .union([
    urlPathSchema.meta({ description: "Shorthand for `{ path: <this> }`." }),
    z.strictObject({
      path: urlPathSchema.meta({ description: "Path to GET.", examples: ["/healthz"] }),
      port: portSchema.optional().meta({ description: "Port to probe; defaults to the service's port." }),
    }),
  ])
  .transform((http) => (typeof http === "string" ? { path: http } : http))
  .meta({
    description: "Passes when a GET of this path answers 2xx or 3xx. A path, or `{ path, port }`.",
    examples: ["/healthz", { path: "/ready", port: 9090 }],
  });

const tcpCheckSchema = z
  .union([
    z.literal(true).meta({ description: "Shorthand for `{}`: the service's port." }),
    z.strictObject({
      port: portSchema
        .optional()
        .meta({ description: "Port to connect to; defaults to the service's port." }),
    }),
  ])
  .transform((tcp) => (tcp === true ? {} : tcp))
  .meta({
    description: "Passes when a TCP connection opens. `true`, or `{ port }`.",
    examples: [true, { port: 5432 }],
  });

const probeFields = {
  http: httpCheckSchema.optional(),
  tcp: tcpCheckSchema.optional(),
  command: commandSchema
    .optional()
    .meta({ description: "Passes when this shell command exits 0.", examples: ["./bin/healthcheck"] }),
  initialDelay: durationSchema.meta({
    description: "Wait this long after start before the first check.",
    examples: ["0s", "15s"],
  }),
  period: durationAtLeast(100, "100ms").meta({
    description: "Time between checks; at least 100ms.",
    examples: ["10s"],
  }),
  timeout: durationAtLeast(10, "10ms").meta({
    description: "A check that takes longer fails; at least 10ms.",
    examples: ["1s"],
  }),
  failureThreshold: z
    .int()
    .min(1)
    .meta({ description: "Consecutive failures before the probe counts as failed.", examples: [3] }),
  successThreshold: z
    .int()
    .min(1)
    .meta({
      description:
        "Consecutive successes before a failed probe counts as passing again; must be 1 for liveness and startup.",
      examples: [1],
    }),
};

const CHECK_KINDS = ["http", "tcp", "command"] as const;
interface CheckFields {
  http?: { path: string; port?: number };
  tcp?: { port?: number };
  command?: string;
}

function toCheck(fields: CheckFields, ctx: z.core.$RefinementCtx, required: boolean): ProbeCheck | undefined {
  const given = CHECK_KINDS.filter((kind) => fields[kind] !== undefined);
  if (given.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: [given[1] ?? "command"],
      message: `a probe checks one way: found both ${given[0]} and ${given[1]}`,
      params: { hint: "keep exactly one of http, tcp or command" },
    });
    return undefined;
  }
  if (fields.http) {
    return { type: "http", ...fields.http };
  }
  if (fields.tcp) {
    return { type: "tcp", ...fields.tcp };
  }
  if (fields.command !== undefined) {
    return { type: "command", command: fields.command };
  }
  if (required) {
    ctx.addIssue({
      code: "custom",
      message: "a probe needs one of http, tcp or command",
      params: { hint: "for example `http: /healthz` or `tcp: true`" },
    });
  }
  return undefined;
}

/** One probe in a spec: timing fields take Kubernetes' defaults. */
export const probeSchema = z
  .strictObject({
    ...probeFields,
    initialDelay: probeFields.initialDelay.prefault(PROBE_DEFAULTS.initialDelay),
    period: probeFields.period.prefault(PROBE_DEFAULTS.period),
    timeout: probeFields.timeout.prefault(PROBE_DEFAULTS.timeout),
    failureThreshold: probeFields.failureThreshold.prefault(PROBE_DEFAULTS.failureThreshold),
    successThreshold: probeFields.successThreshold.prefault(PROBE_DEFAULTS.successThreshold),
  })
  .transform((fields, ctx): Probe => {
    const check = toCheck(fields, ctx, true);
    if (!check) {
      return z.NEVER;
    }
    const { initialDelay, period, timeout, failureThreshold, successThreshold } = fields;
    return { check, initialDelay, period, timeout, failureThreshold, successThreshold };
  });

/** A probe in an environment override: every field optional, merged over the base probe. */
export type ProbeOverride = Partial<Probe>;

export const probeOverrideSchema = z
  .strictObject(probeFields)
  .partial()
  .transform((fields, ctx): ProbeOverride => {
    const check = toCheck(fields, ctx, false);
    const { initialDelay, period, timeout, failureThreshold, successThreshold } = fields;
    const timing = { initialDelay, period, timeout, failureThreshold, successThreshold };
    const set = Object.entries(timing).filter(([, value]) => value !== undefined);
    return { ...(check ? { check } : {}), ...Object.fromEntries(set) };
  });
