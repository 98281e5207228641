/**
 * slipway.yaml: the service spec. One zod schema is the source of validation, of the normalised
 * {@link ServiceSpec}, of the JSON Schema editors use and of the generated reference docs.
 */
export { type AppKind, type DetectedApp, detectApp } from "./detect-app.js";
export { formatDuration, parseDuration } from "./durations.js";
export { effectiveSpec, environmentNames } from "./effective.js";
export { formatSpecError } from "./format-error.js";
export { SERVICE_SPEC_SCHEMA_ID, serviceSpecJsonSchema } from "./json-schema.js";
export { locateField } from "./locate-field.js";
export { isDnsLabel } from "./names.js";
export { parseServiceSpec } from "./parse.js";
export { parseCpuQuantity, parseMemoryQuantity } from "./quantities.js";
export { readServiceSpecFile } from "./read-file.js";
export { renderSpecReference } from "./reference.js";
export { type RenderInitOptions, renderInitSpec } from "./render-init.js";
export type { AlertRule } from "./schema/alerts.js";
export type { BuildStep } from "./schema/build.js";
export { CANARY_DEFAULT_MAX_ERROR_RATE, CANARY_MIN_REQUESTS, type DeploySettings } from "./schema/deploy.js";
export type { Environment, EnvironmentOverrides } from "./schema/environments.js";
export type { Health } from "./schema/health.js";
export type { MetricsSettings } from "./schema/metrics.js";
export type { Probe, ProbeCheck } from "./schema/probe.js";
export type { Resources } from "./schema/resources.js";
export type { Route } from "./schema/routes.js";
export type { Scale } from "./schema/scaling.js";
export {
  type ServiceKind,
  type ServiceSpec,
  type ServiceSpecInput,
  serviceSpecSchema,
  WORKER_SETTLE_MS,
} from "./schema/service-spec.js";
export { MAX_SPEC_BYTES } from "./source/decode.js";
export type { SpecError, SpecResult } from "./spec-error.js";
