import type * as z from "zod";
import { describeExpected, describeLiteral } from "./describe-value.js";

/** The message of a union that matched no option, before we work out which option was meant. */
export const UNION_MISMATCH = "matches none of the allowed forms";

/**
 * Default messages, worded as what was expected; the reporter appends what was found. Schema-level
 * messages (durations, names) take precedence over these.
 */
export const specErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return `expected ${describeExpected(issue.expected)}`;
    case "invalid_value":
      return `expected ${issue.values.map(describeLiteral).join(" or ")}`;
    case "too_small":
      return sizeMessage("at least", issue.origin, issue.minimum, issue.inclusive);
    case "too_big":
      return sizeMessage("at most", issue.origin, issue.maximum, issue.inclusive);
    case "invalid_union":
      return UNION_MISMATCH;
    default:
      return undefined;
  }
};

function sizeMessage(
  bound: "at least" | "at most",
  origin: string,
  limit: number | bigint,
  inclusive?: boolean,
) {
  if (origin === "string") {
    return bound === "at least" && limit === 1
      ? "must not be empty"
      : `must be ${bound} ${limit} characters long`;
  }
  if (origin === "array") {
    return `must have ${bound} ${limit} item${limit === 1 ? "" : "s"}`;
  }
  const strict = bound === "at least" ? "greater than" : "less than";
  return inclusive === false ? `must be ${strict} ${limit}` : `must be ${bound} ${limit}`;
}
