import * as z from "zod";
import { type DeployOverride, deployOverrideSchema } from "./deploy.js";
import { envSchema, secretsSchema } from "./env.js";
import { type HealthOverride, healthOverrideSchema } from "./health.js";
import { dnsLabelSchema } from "./primitives.js";
import { rejectReplicasWithScale } from "./replicas-or-scale.js";
import type { Resources } from "./resources.js";
import { resourcesSchema } from "./resources.js";
import type { Route } from "./routes.js";
import { routesSchema } from "./routes.js";
import { replicasSchema, type ScaleOverride, scaleOverrideSchema } from "./scaling.js";

/** What one environment changes relative to the top level of the spec. */
export interface EnvironmentOverrides {
  env?: Record<string, string>;
  secrets?: string[];
  replicas?: number;
  scale?: ScaleOverride;
  resources?: Resources;
  routes?: Route[];
  health?: HealthOverride;
  deploy?: DeployOverride;
}

/** One stage of the promotion order. */
export interface Environment {
  name: string;
  /** `required`: a deploy waits for someone allowed to approve it. */
  approval: "required" | "none";
  overrides: EnvironmentOverrides;
}

/** Keys an environment may override, for docs and for "can't override" hints. */
export const OVERRIDABLE_KEYS = [
  "env",
  "secrets",
  "replicas",
  "scale",
  "resources",
  "routes",
  "health",
  "deploy",
] as const;

const mergedInto = (what: string) => `Merged key by key over the top-level \`${what}\` in this environment.`;
const replacing = (what: string) => `Replaces the top-level \`${what}\` in this environment.`;

const overrideObjectSchema = z
  .strictObject({
    approval: z
      .enum(["required", "none"])
      .prefault("none")
      .meta({
        description:
          "`required`: a deploy here by a `developer` waits until a `deployer` (or `admin`) of this environment approves it (`slipway approve`) or rejects it; a deployer's own deploy starts at once. Secrets here need `deployer` too.",
        examples: ["required"],
      }),
    env: envSchema.optional().meta({ description: mergedInto("env") }),
    secrets: secretsSchema.optional().meta({ description: replacing("secrets") }),
    replicas: replicasSchema
      .optional()
      .meta({ description: `${replacing("replicas")} A fixed count here also replaces \`scale\`.` }),
    scale: scaleOverrideSchema.optional().meta({
      description: `${mergedInto("scale")} Autoscaling here also replaces \`replicas\`.`,
      examples: [{ max: 20 }],
    }),
    resources: resourcesSchema.optional().meta({ description: mergedInto("resources") }),
    routes: routesSchema.optional().meta({ description: replacing("routes") }),
    health: healthOverrideSchema.optional().meta({
      description: `${mergedInto("health")} Each probe merges field by field; giving http, tcp or command replaces the way it checks.`,
      examples: [{ readiness: { period: "5s" } }],
    }),
    deploy: deployOverrideSchema.optional().meta({
      description: mergedInto("deploy"),
      examples: [{ strategy: "canary" }],
    }),
  })
  .superRefine(rejectReplicasWithScale, { when: () => true });

const environmentOverrideSchema = overrideObjectSchema
  .nullable()
  .transform((value): Omit<Environment, "name"> => {
    const { approval, ...overrides } = value ?? { approval: "none" as const };
    const given = Object.entries(overrides).filter(([, setting]) => setting !== undefined);
    return { approval, overrides: Object.fromEntries(given) };
  })
  .meta({ description: "Overrides for one environment; empty (`staging:`) means none." });

/** Environments in promotion order. The YAML mapping's key order is kept as the array order. */
export const environmentsSchema = z
  .record(dnsLabelSchema.meta({ description: "Environment name (a DNS label)." }), environmentOverrideSchema)
  .refine((environments) => Object.keys(environments).length > 0, {
    error: "needs at least one environment",
  })
  .transform((environments): Environment[] =>
    Object.entries(environments).map(([name, environment]) => ({ name, ...environment })),
  )
  .meta({
    description:
      "Stages a release is promoted through, in order (first to last), each with optional overrides of env, secrets, replicas, scale, resources, routes, health and deploy, and `approval`. Maps (env, resources, health, deploy, scale) merge key by key into the top-level settings; lists (secrets, routes) replace them. Default: one environment, `production`.",
    examples: [{ staging: null, production: { approval: "required", replicas: 3 } }],
  });
