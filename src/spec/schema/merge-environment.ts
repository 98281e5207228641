import { parseDuration } from "../durations.js";
import type { EnvironmentOverrides } from "./environments.js";
import type { Health } from "./health.js";
import { PROBE_DEFAULTS, type Probe, type ProbeOverride } from "./probe.js";
import { DEFAULT_SCALE_TARGET, type Scale, type ScaleOverride } from "./scaling.js";
import type { ServiceSpec } from "./service-spec.js";
import type { RuleProblem } from "./spec-rules.js";

/** The merged spec, and what could not be merged (reported at the effective path). */
export interface MergeResult {
  spec: ServiceSpec;
  problems: RuleProblem[];
}

/**
 * Applies one environment's overrides to the base spec: maps merge key by key (env, resources, deploy,
 * scale, each health probe), lists replace (secrets, routes, canary steps), and replicas/scale replace
 * each other.
 */
export function mergeEnvironment(base: ServiceSpec, overrides: EnvironmentOverrides): MergeResult {
  const problems: RuleProblem[] = [];
  const spec: ServiceSpec = {
    ...base,
    env: { ...base.env, ...overrides.env },
    secrets: overrides.secrets ?? base.secrets,
    resources: { ...base.resources, ...overrides.resources },
    routes: overrides.routes ?? base.routes,
    deploy: { ...base.deploy, ...overrides.deploy },
    health: mergeHealth(base.health, overrides.health, problems),
  };
  if (overrides.replicas !== undefined) {
    spec.replicas = overrides.replicas;
    delete spec.scale;
  } else if (overrides.scale) {
    const scale = mergeScale(base.scale, overrides.scale, problems);
    delete spec.replicas;
    if (scale) {
      spec.scale = scale;
    } else {
      // Keep a fixed count so the partial result still has exactly one of replicas/scale.
      spec.replicas = base.replicas ?? base.scale?.min ?? 1;
    }
  }
  return { spec, problems };
}

function mergeScale(
  base: Scale | undefined,
  override: ScaleOverride,
  problems: RuleProblem[],
): Scale | undefined {
  const merged = { min: 1, target: DEFAULT_SCALE_TARGET, ...base, ...override };
  if (merged.max === undefined) {
    problems.push({
      path: ["scale", "max"],
      message: "scale needs max: the top level has no scale to take it from",
      hint: "add max, for example `scale: { min: 2, max: 10 }`",
    });
    return undefined;
  }
  return { min: merged.min, max: merged.max, target: merged.target };
}

const PROBE_NAMES = ["readiness", "liveness", "startup"] as const;

function mergeHealth(
  base: Health,
  override: EnvironmentOverrides["health"],
  problems: RuleProblem[],
): Health {
  const health: Health = { ...base };
  for (const name of PROBE_NAMES) {
    const probeOverride = override?.[name];
    if (probeOverride) {
      const probe = mergeProbe(base[name], probeOverride);
      if (probe) {
        health[name] = probe;
      } else {
        problems.push({
          path: ["health", name],
          message: `the top level has no ${name} probe, so this one needs http, tcp or command`,
          hint: "for example `http: /healthz`",
        });
      }
    }
  }
  return health;
}

function mergeProbe(base: Probe | undefined, override: ProbeOverride): Probe | undefined {
  const check = override.check ?? base?.check;
  if (!check) {
    return undefined;
  }
  return { ...probeDefaults(), ...base, ...override, check };
}

function probeDefaults(): Omit<Probe, "check"> {
  return {
    initialDelay: parseDuration(PROBE_DEFAULTS.initialDelay) ?? 0,
    period: parseDuration(PROBE_DEFAULTS.period) ?? 0,
    timeout: parseDuration(PROBE_DEFAULTS.timeout) ?? 0,
    failureThreshold: PROBE_DEFAULTS.failureThreshold,
    successThreshold: PROBE_DEFAULTS.successThreshold,
  };
}
