import type * as z from "zod";
import type { SpecPath } from "../spec-error.js";
import { mergeEnvironment } from "./merge-environment.js";
import type { ServiceSpec } from "./service-spec.js";

/** A rule broken by a whole spec, at a path of that spec. */
export interface RuleProblem {
  path: SpecPath;
  message: string;
  hint?: string;
}

/**
 * Rules that span fields. They run on the top-level spec and on each environment's merged spec, so an
 * override cannot produce a spec that would have been rejected at the top level.
 */
export function specRuleProblems(spec: ServiceSpec): RuleProblem[] {
  return [
    ...scaleProblems(spec),
    ...deployProblems(spec),
    ...probeProblems(spec),
    ...envSecretProblems(spec),
    ...workerProblems(spec),
  ];
}

/** A worker gets no traffic, so what shapes traffic is a mistake to point at, not to ignore. */
function workerProblems({ kind, routes, deploy }: ServiceSpec): RuleProblem[] {
  if (kind !== "worker") {
    return [];
  }
  const problems: RuleProblem[] = [];
  if (routes.length > 0) {
    problems.push({
      path: ["routes"],
      message: "a worker serves no requests, so it takes no routes",
      hint: "remove routes, or set kind: web if the service answers HTTP on $PORT",
    });
  }
  if (deploy.strategy === "canary") {
    problems.push({
      path: ["deploy", "strategy"],
      message: "a worker gets no traffic for a canary to split",
      hint: "use strategy: rolling",
    });
  }
  return problems;
}

function scaleProblems({ scale }: ServiceSpec): RuleProblem[] {
  if (scale && scale.min > scale.max) {
    return [
      { path: ["scale", "min"], message: `min (${scale.min}) must not be greater than max (${scale.max})` },
    ];
  }
  return [];
}

const isZero = (value: number | string) => value === 0 || value === "0%";

function deployProblems({ deploy }: ServiceSpec): RuleProblem[] {
  const problems: RuleProblem[] = [];
  if (isZero(deploy.maxSurge) && isZero(deploy.maxUnavailable)) {
    problems.push({
      path: ["deploy", "maxUnavailable"],
      message: "maxSurge and maxUnavailable cannot both be 0: a rolling deploy could never replace a replica",
      hint: "set maxSurge: 1 to start each new replica before stopping an old one",
    });
  }
  if (deploy.strategy === "canary" && !deploy.canary) {
    problems.push({
      path: ["deploy", "strategy"],
      message: "strategy canary needs canary.steps",
      hint: "add `canary: { steps: [{ weight: 10, pause: 5m }, { weight: 50, pause: 10m }] }` under deploy",
    });
  }
  return problems;
}

function probeProblems({ health }: ServiceSpec): RuleProblem[] {
  const problems: RuleProblem[] = [];
  for (const name of ["liveness", "startup"] as const) {
    const probe = health[name];
    if (probe && probe.successThreshold !== 1) {
      problems.push({
        path: ["health", name, "successThreshold"],
        message: `must be 1 for a ${name} probe, found ${probe.successThreshold}`,
      });
    }
  }
  return problems;
}

function envSecretProblems({ env, secrets }: ServiceSpec): RuleProblem[] {
  return secrets
    .filter((name) => Object.hasOwn(env, name))
    .map((name) => ({
      path: ["env", name],
      message: `${name} is set in env and also listed in secrets`,
      hint: "keep it in one place: secrets for credentials, env for everything else",
    }));
}

/**
 * zod refinement: reports rule problems of the spec and of every environment's merged spec. An
 * environment's problem is reported under `environments.<name>` unless the top level has the same one.
 */
export function checkSpecRules(spec: ServiceSpec, ctx: z.core.$RefinementCtx<ServiceSpec>): void {
  const baseProblems = specRuleProblems(spec);
  const seen = new Set(baseProblems.map(problemKey));
  const report = (problem: RuleProblem, prefix: SpecPath) =>
    ctx.addIssue({
      code: "custom",
      path: [...prefix, ...problem.path],
      message: problem.message,
      params: problem.hint === undefined ? {} : { hint: problem.hint },
    });
  for (const problem of baseProblems) {
    report(problem, []);
  }
  for (const environment of spec.environments) {
    const merged = mergeEnvironment(spec, environment.overrides);
    const problems = [...merged.problems, ...specRuleProblems(merged.spec)];
    for (const problem of problems.filter((candidate) => !seen.has(problemKey(candidate)))) {
      report(problem, ["environments", environment.name]);
    }
  }
}

function problemKey(problem: RuleProblem): string {
  return `${JSON.stringify(problem.path)} ${problem.message}`;
}
