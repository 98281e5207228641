import { readFile, stat } from "node:fs/promises";
import { parseServiceSpec } from "./parse.js";
import { MAX_SPEC_BYTES, tooLargeProblem } from "./source/decode.js";
import type { SpecError, SpecResult } from "./spec-error.js";

/**
 * Reads and parses a slipway.yaml from disk. The size is checked before reading, so a huge file is never
 * loaded; a missing file is an error value (with a hint to run `slipway init`), not an exception.
 *
 * @example const result = await readServiceSpecFile("slipway.yaml");
 */
export async function readServiceSpecFile(path: string): Promise<SpecResult> {
  const fileError = (message: string, hint?: string): SpecResult => ({
    ok: false,
    errors: [
      {
        file: path,
        line: 0,
        column: 0,
        path: "",
        message,
        ...(hint === undefined ? {} : { hint }),
      } satisfies SpecError,
    ],
  });
  try {
    const info = await stat(path);
    if (!info.isFile()) {
      return fileError("is not a file", "point at the slipway.yaml file itself");
    }
    if (info.size > MAX_SPEC_BYTES) {
      const { message, hint } = tooLargeProblem(info.size);
      return fileError(message, hint);
    }
    return parseServiceSpec(await readFile(path), path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      return fileError("file not found", "run `slipway init` to write a slipway.yaml for your app");
    }
    if (code === "EACCES") {
      return fileError("permission denied", "check the file's permissions");
    }
    return fileError(`could not read the file: ${(error as Error).message}`);
  }
}
