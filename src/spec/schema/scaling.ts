import * as z from "zod";

/** A fixed replica count. */
export const replicasSchema = z
  .int()
  .min(0)
  .meta({
    description:
      "Number of replicas to run, when not autoscaling; 0 stops the service. Default 1. Use either `replicas` or `scale`.",
    examples: [1, 3],
  });

/** The autoscaling target used when `scale.target` is left out (the Kubernetes HPA's usual 80% CPU). */
export const DEFAULT_SCALE_TARGET = { cpu: 80 } as const;

const targetSchema = z
  .strictObject({
    cpu: z
      .int()
      .min(1)
      .max(100)
      .optional()
      .meta({
        description: "Average CPU use to aim for, as a percentage of the CPU limit.",
        examples: [70],
      }),
    requestsPerSecond: z
      .number()
      .positive()
      .optional()
      .meta({
        description: "Requests per second per replica to aim for.",
        examples: [50],
      }),
  })
  .refine((target) => target.cpu !== undefined || target.requestsPerSecond !== undefined, {
    error: "a scale target needs cpu or requestsPerSecond",
  })
  .meta({ description: "What autoscaling aims for. Default `{ cpu: 80 }`.", examples: [{ cpu: 70 }] });

const scaleFields = {
  min: z
    .int()
    .min(1)
    .meta({ description: "Fewest replicas. Default 1.", examples: [2] }),
  max: z
    .int()
    .min(1)
    .meta({ description: "Most replicas; must be at least `min`.", examples: [10] }),
  target: targetSchema,
};

/** Autoscaling bounds and target; `min <= max` is checked with the other cross-field rules. */
export const scaleSchema = z
  .strictObject({
    ...scaleFields,
    min: scaleFields.min.prefault(1),
    target: targetSchema.prefault(DEFAULT_SCALE_TARGET),
  })
  .meta({
    description:
      "Autoscaling between `min` and `max` replicas to hold `target`. Use either `scale` or `replicas`.",
    examples: [{ min: 2, max: 10, target: { cpu: 70 } }],
  });

/** Autoscaling in an environment override: given fields replace the base's. */
export const scaleOverrideSchema = z.strictObject(scaleFields).partial();

/** Normalised autoscaling settings. */
export type Scale = z.output<typeof scaleSchema>;
/** Autoscaling settings in an environment override. */
export type ScaleOverride = z.output<typeof scaleOverrideSchema>;
