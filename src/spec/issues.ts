import type * as z from "zod";
import { describeFound } from "./describe-value.js";
import { UNION_MISMATCH } from "./error-map.js";
import { hintForValue } from "./hints.js";
import { OVERRIDABLE_KEYS } from "./schema/environments.js";
import { allowedKeysAt, fieldMetaAt } from "./schema-walk.js";
import type { SpecPath } from "./spec-error.js";
import { didYouMean } from "./suggest.js";

type Schema = z.core.$ZodType;
type Issue = z.core.$ZodIssue;

/** An issue in words, at a path; `at: "key"` points at the key itself rather than its value. */
export interface IssueReport {
  path: SpecPath;
  at: "key" | "value";
  message: string;
  hint?: string;
  /** For unknown keys: the key we think was meant. */
  suggestion?: string;
}

/** Turns zod issues into reports that name the place, what was found and what to do. */
export function reportIssues(issues: readonly Issue[], root: Schema): IssueReport[] {
  const reports = issues.flatMap((issue) => reportIssue(issue, [], root));
  // A typo'd key is both unknown and leaves the real key missing; the "did you mean" says it all.
  const meant = new Set(
    reports.flatMap((report) =>
      report.suggestion === undefined
        ? []
        : [JSON.stringify([...report.path.slice(0, -1), report.suggestion])],
    ),
  );
  return reports.filter((report) => !(report.message === MISSING && meant.has(JSON.stringify(report.path))));
}

const MISSING = "required but missing";

function reportIssue(issue: Issue, prefix: SpecPath, root: Schema): IssueReport[] {
  const path = [
    ...prefix,
    ...issue.path.map((segment) => (typeof segment === "number" ? segment : String(segment))),
  ];
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => unknownKey(path, key, root));
    case "invalid_union":
      return unionMismatch(issue, path, root);
    case "invalid_key":
      return [withFound(path, "key", issue.issues[0]?.message ?? "invalid key", path.at(-1))];
    case "invalid_type":
      return issue.input === undefined
        ? [missingKey(path, root)]
        : [withFound(path, "value", issue.message, issue.input)];
    case "invalid_value":
      return [enumMismatch(path, issue.message, issue.values, issue.input)];
    case "too_small":
    case "too_big":
      return [
        issue.origin === "number" || issue.origin === "int"
          ? withFound(path, "value", issue.message, issue.input)
          : { path, at: "value", message: issue.message },
      ];
    case "invalid_format":
      return [withFound(path, "value", issue.message, issue.input)];
    case "custom":
      return [customReport(path, issue)];
    default:
      return [{ path, at: "value", message: issue.message }];
  }
}

function withFound(path: SpecPath, at: "key" | "value", message: string, found: unknown): IssueReport {
  const hint = hintForValue(message, found) ?? quotedNumberHint(message, found);
  return { path, at, message: `${message}, found ${describeFound(found)}`, ...(hint ? { hint } : {}) };
}

/** `port: "8080"`: YAML quotes make a string of what was meant as a number. */
function quotedNumberHint(message: string, found: unknown): string | undefined {
  const wantsNumber = message === "expected a number" || message === "expected a whole number";
  return wantsNumber && typeof found === "string" && /^-?\d+(\.\d+)?$/.test(found.trim())
    ? `remove the quotes to make it a number: ${found.trim()}`
    : undefined;
}

function customReport(path: SpecPath, issue: z.core.$ZodIssueCustom): IssueReport {
  const hint: unknown = issue.params?.hint;
  const base =
    issue.params?.showFound === true
      ? withFound(path, "value", issue.message, issue.input)
      : { path, at: "value" as const, message: issue.message };
  return typeof hint === "string" ? { ...base, hint } : base;
}

function enumMismatch(
  path: SpecPath,
  message: string,
  values: readonly unknown[],
  found: unknown,
): IssueReport {
  const report = withFound(path, "value", message, found);
  const words = values.filter((value): value is string => typeof value === "string");
  const meant = typeof found === "string" ? didYouMean(found, words) : undefined;
  return meant === undefined ? report : { ...report, hint: `did you mean \`${meant}\`?` };
}

function missingKey(path: SpecPath, root: Schema): IssueReport {
  const key = path.at(-1);
  const example = fieldMetaAt(root, path).examples?.[0];
  const scalar = typeof example === "string" || typeof example === "number" || typeof example === "boolean";
  return {
    path,
    at: "value",
    message: MISSING,
    ...(scalar ? { hint: `add it, for example \`${String(key)}: ${String(example)}\`` } : {}),
  };
}

function unknownKey(path: SpecPath, key: string, root: Schema): IssueReport {
  const allowed = allowedKeysAt(root, path);
  const keyPath = [...path, key];
  const misplaced = path.length === 2 && path[0] === "environments" && allowedKeysAt(root, []).includes(key);
  if (misplaced) {
    const hint = `${key} is the same in every environment, so set it at the top level; an environment can override ${OVERRIDABLE_KEYS.join(", ")} and set approval`;
    return { path: keyPath, at: "key", message: "cannot be set per environment", hint };
  }
  const meant = didYouMean(key, allowed);
  if (meant !== undefined) {
    return {
      path: keyPath,
      at: "key",
      message: "unknown key",
      hint: `did you mean \`${meant}\`?`,
      suggestion: meant,
    };
  }
  const hint = allowed.length > 0 ? `allowed here: ${allowed.join(", ")}` : undefined;
  return { path: keyPath, at: "key", message: "unknown key", ...(hint ? { hint } : {}) };
}

/**
 * A value that fits no option of a union (`build: <string or mapping>`). When only one option has the
 * value's shape, its detailed errors are what the user needs; otherwise we list the shapes allowed.
 */
function unionMismatch(
  issue: Extract<Issue, { code: "invalid_union" }>,
  path: SpecPath,
  root: Schema,
): IssueReport[] {
  const options = issue.errors;
  const fitting = options.filter((optionIssues) => !optionIssues.some(isShapeMismatch));
  const best = fitting.sort((a, b) => a.length - b.length)[0];
  if (best) {
    return best.flatMap((optionIssue) => reportIssue(optionIssue, path, root));
  }
  if (issue.message !== UNION_MISMATCH) {
    return [withFound(path, "value", issue.message, issue.input)];
  }
  const shapes = options.flatMap((optionIssues) =>
    optionIssues.filter(isShapeMismatch).map((optionIssue) => optionIssue.message.replace(/^expected /, "")),
  );
  return [withFound(path, "value", `expected ${[...new Set(shapes)].join(" or ")}`, issue.input)];
}

/** The option does not apply at all: its root type or literal differs from the value's. */
function isShapeMismatch(issue: Issue): boolean {
  return issue.path.length === 0 && (issue.code === "invalid_type" || issue.code === "invalid_value");
}
