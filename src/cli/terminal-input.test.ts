import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { readPipedInput, readValueFromUser } from "./terminal-input.js";

describe("readPipedInput", () => {
  it("drops exactly one trailing newline and keeps the rest", async () => {
    expect(await readPipedInput(Readable.from(["s3cr", "et\n"]))).toBe("s3cret");
    expect(await readPipedInput(Readable.from(["line1\nline2\r\n"]))).toBe("line1\nline2");
    expect(await readPipedInput(Readable.from(["  spaced  \n\n"]))).toBe("  spaced  \n");
  });

  it("refuses input over the limit", async () => {
    await expect(readPipedInput(Readable.from([Buffer.alloc(10)]), 5)).rejects.toThrow(/larger than 5 bytes/);
  });
});

describe("readValueFromUser", () => {
  it("is a usage error when stdin is empty", async () => {
    const error = await readValueFromUser(
      "API token",
      { stdin: Readable.from([]), stderr: process.stderr },
      "pass --token",
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe("no API token given");
    expect((error as CliError).exitCode).toBe(2);
  });
});
