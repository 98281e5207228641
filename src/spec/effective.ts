import { mergeEnvironment } from "./schema/merge-environment.js";
import type { ServiceSpec } from "./schema/service-spec.js";

/**
 * The spec as it runs in one environment: that environment's overrides merged over the top level (maps
 * key by key, lists replaced, replicas and scale replacing each other). Returns undefined when the spec has
 * no environment of that name. Specs from {@link parseServiceSpec} merge without problems: the parser
 * already rejected overrides that would not.
 *
 * @example effectiveSpec(spec, "production")?.replicas
 */
export function effectiveSpec(spec: ServiceSpec, environmentName: string): ServiceSpec | undefined {
  const environment = spec.environments.find((candidate) => candidate.name === environmentName);
  return environment ? mergeEnvironment(spec, environment.overrides).spec : undefined;
}

/** Environment names in promotion order. */
export function environmentNames(spec: ServiceSpec): string[] {
  return spec.environments.map((environment) => environment.name);
}
