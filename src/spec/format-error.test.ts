import { describe, expect, it } from "vitest";
import { formatSpecError } from "./format-error.js";

describe("formatSpecError", () => {
  it("puts file:line:column, the path and the message on one line", () => {
    const error = {
      file: "slipway.yaml",
      line: 12,
      column: 5,
      path: "health.readiness.period",
      message: 'expected a duration like "10s" or "5m", found "ten"',
    };
    expect(formatSpecError(error)).toBe(
      'slipway.yaml:12:5: health.readiness.period: expected a duration like "10s" or "5m", found "ten"',
    );
  });

  it("adds the hint on an indented second line", () => {
    const error = {
      file: "a.yaml",
      line: 3,
      column: 1,
      path: "replica",
      message: "unknown key",
      hint: "did you mean `replicas`?",
    };
    expect(formatSpecError(error)).toBe("a.yaml:3:1: replica: unknown key\n  hint: did you mean `replicas`?");
  });

  it("leaves out the position for whole-file errors and the path when there is none", () => {
    expect(formatSpecError({ file: "a.yaml", line: 0, column: 0, path: "", message: "file not found" })).toBe(
      "a.yaml: file not found",
    );
  });
});
