import * as z from "zod";
import { type AlertRule, alertsSchema } from "./alerts.js";
import { type BuildStep, buildSchema } from "./build.js";
import { type DeploySettings, deploySchema } from "./deploy.js";
import { envSchema, secretsSchema } from "./env.js";
import { type Environment, environmentsSchema } from "./environments.js";
import { type Health, healthSchema } from "./health.js";
import { type MetricsSettings, metricsSchema } from "./metrics.js";
import { commandSchema, dnsLabelSchema, portSchema } from "./primitives.js";
import { rejectReplicasWithScale } from "./replicas-or-scale.js";
import { type Resources, resourcesSchema } from "./resources.js";
import { type Route, routesSchema } from "./routes.js";
import { replicasSchema, type Scale, scaleSchema } from "./scaling.js";
import { checkSpecRules } from "./spec-rules.js";

/** A parsed, normalised slipway.yaml: defaults filled in, durations in ms, memory in bytes, CPU in cores. */
export interface ServiceSpec {
  service: string;
  /** A release recorded before `kind` existed has none: read it as `web`. */
  kind: ServiceKind;
  build?: BuildStep;
  start: string;
  /** Absent: the platform picks a port and passes it in `$PORT`. */
  port?: number;
  env: Record<string, string>;
  secrets: string[];
  health: Health;
  resources: Resources;
  /** Exactly one of `replicas` and `scale` is set. */
  replicas?: number;
  scale?: Scale;
  routes: Route[];
  /** In promotion order. */
  environments: Environment[];
  deploy: DeploySettings;
  alerts: AlertRule[];
  metrics: MetricsSettings;
}

/** `web` serves HTTP behind the router; `worker` serves no requests (a queue consumer, a scheduler). */
export type ServiceKind = "web" | "worker";

/** How long a worker without probes must run before it counts as ready: a crash at boot fails the rollout. */
export const WORKER_SETTLE_MS = 2000;

/** The environments a spec gets when it names none. */
export const DEFAULT_ENVIRONMENTS: readonly Environment[] = [
  { name: "production", approval: "none", overrides: {} },
];

const specObjectSchema = z.strictObject({
  service: dnsLabelSchema.meta({
    description:
      "The service's name: a DNS label (lowercase letters, digits and '-', starting with a letter, at most 63 characters), because it ends up in hostnames, paths and process names.",
    examples: ["billing-api"],
  }),
  kind: z
    .enum(["web", "worker"])
    .default("web")
    .meta({
      description: `\`web\` serves HTTP on \`$PORT\` behind the router: without probes it counts as ready once \`$PORT\` accepts connections. \`worker\` serves no requests (a queue consumer, a scheduler, a bot): it gets no host and no routes, and without probes it counts as ready once it has run for ${WORKER_SETTLE_MS / 1000} s without exiting, so one that crashes at boot still fails its rollout.`,
      examples: ["worker"],
    }),
  build: buildSchema.optional(),
  start: commandSchema.meta({
    description:
      "Shell command that starts one replica, run with `sh -c`. Unless the service is a `kind: worker`, it must listen on `$PORT` (or on `port` in a container runtime).",
    examples: ["npm start", "./bin/app"],
  }),
  port: portSchema.optional().meta({
    description:
      "Port the service listens on in a container runtime. The process runtime runs several replicas on one machine, so it always chooses a free port for each and passes it in `$PORT` (and probes that): listen on `$PORT` whenever it is set.",
    examples: [8080],
  }),
  env: envSchema.prefault({}),
  secrets: secretsSchema.prefault([]),
  health: healthSchema.prefault({}),
  resources: resourcesSchema.prefault({}),
  replicas: replicasSchema.optional(),
  scale: scaleSchema.optional(),
  routes: routesSchema.prefault([]),
  environments: environmentsSchema.optional(),
  deploy: deploySchema.prefault({}),
  alerts: alertsSchema.prefault([]),
  metrics: metricsSchema.prefault({}),
});

function toServiceSpec(input: z.output<typeof specObjectSchema>): ServiceSpec {
  const { replicas, scale, environments, build, port, ...rest } = input;
  return {
    service: rest.service,
    kind: rest.kind,
    ...(build ? { build } : {}),
    start: rest.start,
    ...(port === undefined ? {} : { port }),
    env: rest.env,
    secrets: rest.secrets,
    health: rest.health,
    resources: rest.resources,
    ...(scale ? { scale } : { replicas: replicas ?? 1 }),
    routes: rest.routes,
    environments: environments ?? DEFAULT_ENVIRONMENTS.map((environment) => ({ ...environment })),
    deploy: rest.deploy,
    alerts: rest.alerts,
    metrics: rest.metrics,
  };
}

/**
 * The slipway.yaml schema: the single source of truth for validation, the normalised {@link ServiceSpec},
 * the JSON Schema editors use and the generated reference docs.
 */
export const serviceSpecSchema = specObjectSchema
  .superRefine(rejectReplicasWithScale, { when: () => true })
  .transform(toServiceSpec)
  .superRefine(checkSpecRules)
  .meta({
    title: "slipway.yaml",
    description: "How to build, run, check, scale, route, deploy and alert on one service.",
  });

/** What a user writes: the input side of the schema. */
export type ServiceSpecInput = z.input<typeof serviceSpecSchema>;
