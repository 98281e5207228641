import { describe, expect, it } from "vitest";
import { formatSpecError } from "./format-error.js";
import { parseServiceSpec } from "./parse.js";

function errorLines(source: string): string[] {
  const result = parseServiceSpec(source, "slipway.yaml");
  if (result.ok) {
    expect.fail("expected the spec to be rejected");
  }
  return result.errors.map(formatSpecError).map((line) => line.split("\n")[0] ?? line);
}

describe("cross-field rules when other fields are wrong", () => {
  it("reports scale.min > max and maxSurge = maxUnavailable = 0 beside an unknown key and a bad memory", () => {
    const source = [
      "service: web",
      "start: npm start",
      "resources: { memory: 256MB }",
      "scale: { min: 5, max: 3 }",
      "deploy: { maxSurge: 0, maxUnavailable: 0 }",
      "replicaz: 2",
    ].join("\n");
    expect(errorLines(source)).toEqual([
      expect.stringMatching(/^slipway\.yaml:3:22: resources\.memory: /),
      expect.stringMatching(/^slipway\.yaml:4:15: scale\.min: min \(5\) must not be greater than max \(3\)/),
      expect.stringMatching(
        /^slipway\.yaml:5:40: deploy\.maxUnavailable: maxSurge and maxUnavailable cannot both be 0/,
      ),
      expect.stringMatching(/^slipway\.yaml:6:1: replicaz: /),
    ]);
  });

  it("checks the rules of what is valid when a required field is missing", () => {
    const source = "service: web\nhealth:\n  liveness: { tcp: true, successThreshold: 2 }\n";
    expect(errorLines(source)).toEqual([
      expect.stringMatching(/^slipway\.yaml:1:1: start: required but missing/),
      expect.stringMatching(
        /^slipway\.yaml:3:44: health\.liveness\.successThreshold: must be 1 for a liveness probe/,
      ),
    ]);
  });

  it("keeps an environment's rule problem only when the section it merges with is valid", () => {
    const base = "service: web\nstart: npm start\nenvironments:\n  staging:\n    scale: { min: 4 }\n";
    // Top-level scale broken: the override's "needs max" would be a guess about a section we could not read.
    expect(errorLines(`${base}scale: { min: 1, max: many }\n`)).toEqual([
      expect.stringMatching(/^slipway\.yaml:6:23: scale\.max: /),
    ]);
    // Top-level scale valid, something else broken: the merged min > max is reported at once.
    expect(errorLines(`${base}scale: { min: 1, max: 3 }\nport: huge\n`)).toEqual([
      expect.stringMatching(
        /^slipway\.yaml:5:19: environments\.staging\.scale\.min: min \(4\) must not be greater than max \(3\)/,
      ),
      expect.stringMatching(/^slipway\.yaml:7:7: port: /),
    ]);
  });

  it("reports each rule problem once when every field is valid", () => {
    const errors = errorLines("service: web\nstart: npm start\nscale: { min: 5, max: 3 }\n");
    expect(errors).toEqual([
      expect.stringMatching(/scale\.min: min \(5\) must not be greater than max \(3\)/),
    ]);
  });
});
