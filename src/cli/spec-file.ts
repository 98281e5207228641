import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import type { SpecError, SpecResult } from "../spec/index.js";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";
import type { Output } from "./output/output.js";

/** A spec file read and checked locally. */
export interface LoadedSpecFile {
  /** The path as the user wrote it, used in messages (`slipway.yaml:3:5: ...`). */
  displayPath: string;
  absolutePath: string;
  result: SpecResult;
}

/** The file `validate` and `apply` read when none is named. */
export const DEFAULT_SPEC_FILE = "slipway.yaml";

/**
 * Reads and checks a slipway.yaml with the spec module. A missing file is a "not found" error
 * with a hint to run `slipway init`; errors name the file as the user wrote it.
 */
export async function loadSpecFile(file: string, cwd: string): Promise<LoadedSpecFile> {
  const absolutePath = resolve(cwd, file);
  const info = await stat(absolutePath).catch(() => undefined);
  if (!info) {
    throw new CliError(`${file} does not exist`, {
      hint: file === DEFAULT_SPEC_FILE ? "run `slipway init` to write one" : "check the path",
      exitCode: ExitCode.notFound,
    });
  }
  if (!info.isFile()) {
    throw new CliError(`${file} is not a file`, { hint: "name the slipway.yaml file itself" });
  }
  const { readServiceSpecFile } = await import("../spec/index.js");
  const result = await readServiceSpecFile(absolutePath);
  if (result.ok) {
    return { displayPath: file, absolutePath, result };
  }
  return {
    displayPath: file,
    absolutePath,
    result: { ok: false, errors: result.errors.map((error) => ({ ...error, file })) },
  };
}

/** Prints every spec error on its own line (`file:line:column: path: message`, then its hint). */
export async function printSpecErrors(output: Output, errors: SpecError[]): Promise<void> {
  const { formatSpecError } = await import("../spec/index.js");
  for (const error of errors) {
    output.line(formatSpecError(error));
  }
}
