import * as z from "zod";
import { probeOverrideSchema, probeSchema } from "./probe.js";

const PROBE_DOCS = {
  readiness: "Gates traffic: a replica gets requests only while this passes, and a rollout waits for it.",
  liveness: "Restarts a replica after this fails `failureThreshold` times in a row.",
  startup: "Holds off liveness and readiness until it passes once, for slow starters.",
} as const;

const probeExample = { http: "/healthz", period: "10s" };

/** The health section of a spec. */
export const healthSchema = z
  .strictObject({
    readiness: probeSchema.optional().meta({ description: PROBE_DOCS.readiness, examples: [probeExample] }),
    liveness: probeSchema.optional().meta({ description: PROBE_DOCS.liveness, examples: [probeExample] }),
    startup: probeSchema
      .optional()
      .meta({ description: PROBE_DOCS.startup, examples: [{ http: "/healthz", failureThreshold: 30 }] }),
  })
  .meta({
    description:
      "Health probes, as in Kubernetes: each checks one way (`http`, `tcp` or `command`) with timing defaults initialDelay 0s, period 10s, timeout 1s, failureThreshold 3, successThreshold 1. Without a `readiness` or `startup` probe, a replica is ready once `$PORT` accepts connections, and one that does not listen within `deploy.readyTimeout` is restarted (Heroku's boot timeout, 60 s there); a `kind: worker` is ready once it has run for 2 s instead.",
    examples: [{ readiness: { http: "/healthz" }, liveness: { tcp: true } }],
  });

const overrideDoc = (name: string) =>
  `Changes to the ${name} probe in this environment, merged field by field over the top-level one.`;

/** Health probes in an environment override, merged probe by probe and field by field. */
export const healthOverrideSchema = z.strictObject({
  readiness: probeOverrideSchema.optional().meta({ description: overrideDoc("readiness") }),
  liveness: probeOverrideSchema.optional().meta({ description: overrideDoc("liveness") }),
  startup: probeOverrideSchema.optional().meta({ description: overrideDoc("startup") }),
});

/** The normalised health section. */
export type Health = z.output<typeof healthSchema>;
/** The health section of an environment override. */
export type HealthOverride = z.output<typeof healthOverrideSchema>;
