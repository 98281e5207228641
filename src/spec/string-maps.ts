import type { SpecPath } from "./spec-error.js";

/** Paths of maps whose values are strings: a `*` matches any key or index. */
const STRING_MAPS: readonly (readonly string[])[] = [
  ["env", "*"],
  ["environments", "*", "env", "*"],
  ["alerts", "*", "labels", "*"],
  ["alerts", "*", "annotations", "*"],
];

/**
 * True for values of string maps (env, labels, annotations), where a number or boolean should keep the
 * exact text written in the YAML instead of YAML's reading of it.
 */
export function isStringMapValue(path: SpecPath): boolean {
  return STRING_MAPS.some(
    (pattern) =>
      pattern.length === path.length &&
      pattern.every((segment, index) => segment === "*" || segment === path[index]),
  );
}
