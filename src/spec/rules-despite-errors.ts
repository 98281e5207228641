import type * as z from "zod";
import { specErrorMap } from "./error-map.js";
import { serviceSpecSchema } from "./schema/service-spec.js";

/** Stand-ins for required fields that failed, so the rest of the spec can still be checked. */
const REQUIRED_STAND_INS: Readonly<Record<string, unknown>> = { service: "stand-in", start: "true" };

/**
 * The cross-field rules (scale.min ≤ scale.max, maxSurge and maxUnavailable not both 0, …) of the
 * sections that are valid, for a spec that failed elsewhere. zod runs those rules only on a spec
 * that passed every field check, so without this a user who fixed one error could meet a new one
 * on the next `validate`; a mature linter shows them all at once.
 *
 * Sections are judged whole: every top-level key with an issue of its own is dropped (defaults take
 * its place), the spec is checked again, and only rule issues that cannot depend on a dropped
 * section are kept. Dropping a section can only hide a rule problem, never invent one, except
 * through an environment's merge with the base it overrides: those are kept only when the section
 * they merge with was valid.
 */
export function ruleIssuesDespiteErrors(
  data: Record<string, unknown>,
  issues: readonly z.core.$ZodIssue[],
): z.core.$ZodIssue[] {
  const dropped = new Set<string>();
  for (const issue of issues) {
    const [section] = issue.path;
    if (typeof section === "string") {
      dropped.add(section);
    } else if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        dropped.add(key);
      }
    } else {
      // An issue of the whole document (it is not a mapping): nothing is left to check.
      return [];
    }
  }
  const repaired: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (!dropped.has(key)) {
      repaired[key] = value;
    }
  }
  for (const [key, standIn] of Object.entries(REQUIRED_STAND_INS)) {
    if (dropped.has(key)) {
      repaired[key] = standIn;
    }
  }
  if ("replicas" in repaired && "scale" in repaired) {
    // Already reported as a conflict; keep scale, whose rules are the ones worth checking.
    delete repaired.replicas;
  }
  const result = serviceSpecSchema.safeParse(repaired, { reportInput: true, error: specErrorMap });
  if (result.success || result.error.issues.some((issue) => issue.code !== "custom")) {
    return [];
  }
  return result.error.issues.filter((issue) => !dependsOnDropped(issue, dropped));
}

/** `environments.<name>.<section>…` is an override merged with the top-level section of that name. */
function dependsOnDropped(issue: z.core.$ZodIssue, dropped: ReadonlySet<string>): boolean {
  const [first, , overridden] = issue.path;
  return first === "environments" && typeof overridden === "string" && dropped.has(overridden);
}
