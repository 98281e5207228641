import { describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";
import { parseSince } from "./parse-since.js";

describe("parseSince", () => {
  it.each(["10m", "2h", "1d", "1h30m", "0s", "2026-11-27T18:00:00Z", "2026-11-27T18:00:00.123+01:00"])(
    "takes %s as it is",
    async (text) => {
      expect(await parseSince(text)).toBe(text);
    },
  );

  it.each([
    "yesterday",
    "",
    "10",
    "1w",
    "2026-11-27",
    "2026-13-45T99:00:00Z",
    `2026-11-27T18:00:00Z${" ".repeat(40)}`,
  ])("refuses %j as a usage error naming the flag, with the forms it takes", async (text) => {
    const error = await parseSince(text).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: ExitCode.usage,
      message: `--since ${JSON.stringify(text)} is not a duration or time`,
      hint: expect.stringContaining("10m, 2h or 1d, or an ISO-8601 time"),
    });
  });
});
