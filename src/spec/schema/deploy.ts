import * as z from "zod";
import { countOrPercentSchema, durationSchema } from "./primitives.js";

/** Flagger's request-success-rate check asks for 99%; 5% leaves room for an app's usual errors. */
export const CANARY_DEFAULT_MAX_ERROR_RATE = 5;
/** Fewer responses than this in a step say too little to judge the new release by. */
export const CANARY_MIN_REQUESTS = 20;

const canaryStepSchema = z.strictObject({
  weight: z
    .int()
    .min(1)
    .max(100)
    .meta({ description: "Percent of traffic sent to the new release.", examples: [10] }),
  pause: durationSchema.meta({
    description: "How long to watch this step before the next.",
    examples: ["5m"],
  }),
});

const canarySchema = z
  .strictObject({
    steps: z
      .array(canaryStepSchema)
      .min(1)
      .superRefine((steps, ctx) => {
        steps.forEach((step, index) => {
          const previous = steps[index - 1];
          if (previous && step.weight <= previous.weight) {
            ctx.addIssue({
              code: "custom",
              path: [index, "weight"],
              message: `weights must increase from step to step: ${step.weight} follows ${previous.weight}`,
            });
          }
        });
      })
      .meta({
        description: "Traffic steps, in increasing weight; after the last the release takes all traffic.",
        examples: [
          [
            { weight: 10, pause: "5m" },
            { weight: 50, pause: "10m" },
          ],
        ],
      }),
    maxErrorRate: z
      .number()
      .min(0)
      .max(100)
      .prefault(CANARY_DEFAULT_MAX_ERROR_RATE)
      .meta({
        description: `Percent of the new release's responses during a step that may be 5xx (its own or the router's 502/504) before the canary is backed out; judged once it has answered ${CANARY_MIN_REQUESTS} requests in the step. 100 turns the check off.`,
        examples: [1, 5],
      }),
  })
  .meta({ description: "Canary steps, used when `strategy` is `canary`." });

const deployFields = {
  strategy: z.enum(["rolling", "canary"]).meta({
    description:
      "`rolling` replaces replicas a few at a time; `canary` shifts traffic in `canary.steps`: at each step the new release runs on that share of the replicas (at least one) and gets that share of requests for the step's pause, while the old release keeps all its replicas; a new replica that exits or stops being ready during a pause backs the canary out. After the last step the new release takes everything. Rollbacks, restarts and first deploys skip the steps.",
    examples: ["rolling", "canary"],
  }),
  maxSurge: countOrPercentSchema.meta({
    description:
      "Extra replicas a rolling deploy may start above the desired count: a number or a percentage.",
    examples: [1, "25%"],
  }),
  maxUnavailable: countOrPercentSchema.meta({
    description: "Replicas that may be unavailable during a rolling deploy: a number or a percentage.",
    examples: [0, "25%"],
  }),
  drainTimeout: durationSchema.meta({
    description: "How long a stopping replica may finish in-flight requests after it leaves the router.",
    examples: ["30s"],
  }),
  readyTimeout: durationSchema.meta({
    description: "How long a new replica may take to pass readiness before the deploy fails.",
    examples: ["5m"],
  }),
  stopGracePeriod: durationSchema.meta({
    description:
      "How long a replica has to exit after SIGTERM before it is killed with SIGKILL (Kubernetes' terminationGracePeriodSeconds).",
    examples: ["30s", "2m"],
  }),
  canary: canarySchema,
};

/** Deploy defaults, in the input form. */
export const DEPLOY_DEFAULTS = {
  strategy: "rolling",
  maxSurge: 1,
  maxUnavailable: 0,
  drainTimeout: "30s",
  readyTimeout: "5m",
  stopGracePeriod: "30s",
} as const;

/** Rollout settings of a spec, with defaults. */
export const deploySchema = z
  .strictObject({
    ...deployFields,
    strategy: deployFields.strategy.prefault(DEPLOY_DEFAULTS.strategy),
    maxSurge: deployFields.maxSurge.prefault(DEPLOY_DEFAULTS.maxSurge),
    maxUnavailable: deployFields.maxUnavailable.prefault(DEPLOY_DEFAULTS.maxUnavailable),
    drainTimeout: deployFields.drainTimeout.prefault(DEPLOY_DEFAULTS.drainTimeout),
    readyTimeout: deployFields.readyTimeout.prefault(DEPLOY_DEFAULTS.readyTimeout),
    stopGracePeriod: deployFields.stopGracePeriod.prefault(DEPLOY_DEFAULTS.stopGracePeriod),
    canary: canarySchema.optional(),
  })
  .meta({
    description: "How a new release replaces the running one.",
    examples: [{ strategy: "rolling", maxSurge: "25%", maxUnavailable: 0 }],
  });

/** Rollout settings in an environment override: given fields replace the base's. */
export const deployOverrideSchema = z.strictObject(deployFields).partial();

/** Normalised rollout settings; durations in milliseconds. */
export type DeploySettings = z.output<typeof deploySchema>;
/** Rollout settings in an environment override. */
export type DeployOverride = z.output<typeof deployOverrideSchema>;
