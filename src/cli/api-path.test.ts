import { describe, expect, it } from "vitest";
import { apiPath } from "./api-path.js";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

describe("apiPath", () => {
  it("encodes each segment", () => {
    expect(apiPath("services", "web", "secrets", "A B/C?")).toBe("/api/v1/services/web/secrets/A%20B%2FC%3F");
  });

  it.each([".", "..", "%2e%2E", "%2E", ""])(
    "refuses the segment %j, which a URL parser would resolve",
    (segment) => {
      let thrown: unknown;
      try {
        apiPath("services", segment, "secrets");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(CliError);
      expect((thrown as CliError).exitCode).toBe(ExitCode.usage);
    },
  );

  it("keeps dots inside a name", () => {
    expect(apiPath("tokens", "..a")).toBe("/api/v1/tokens/..a");
  });
});
