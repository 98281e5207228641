import type { ServiceSpec, SpecError } from "../spec/index.js";
import { usageError } from "./cli-error.js";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import { loadSpecFile, printSpecErrors } from "./spec-file.js";

/** A slipway.yaml that passed the local check. */
export interface ValidSpecFile {
  spec: ServiceSpec;
  displayPath: string;
  absolutePath: string;
}

/**
 * Reads and checks a slipway.yaml before anything is sent. When it is invalid, every error is
 * printed as `file:line:column: ...` (under --json, `invalidResult` plus the errors), the exit code
 * is set to 1, and undefined is returned.
 */
export async function readValidSpec(
  ctx: CommandContext,
  file: string,
  invalidResult: Record<string, unknown>,
): Promise<ValidSpecFile | undefined> {
  const { result, displayPath, absolutePath } = await loadSpecFile(file, ctx.io.cwd);
  if (result.ok) {
    return { spec: result.spec, displayPath, absolutePath };
  }
  await reportInvalid(ctx, displayPath, result.errors, invalidResult);
  return undefined;
}

async function reportInvalid(
  ctx: CommandContext,
  displayPath: string,
  errors: SpecError[],
  invalidResult: Record<string, unknown>,
): Promise<void> {
  if (ctx.output.json) {
    ctx.output.data({ ...invalidResult, errors });
  } else {
    await printSpecErrors(ctx.output, errors);
    ctx.output.note(`${displayPath} is invalid; nothing was sent to the server`);
  }
  ctx.exitCode = ExitCode.failure;
}

/** `--env`, checked against the spec, or the spec's first environment (the start of promotion). */
export function chooseEnvironment(
  spec: ServiceSpec,
  requested: string | undefined,
  displayPath: string,
): string {
  const names = spec.environments.map((environment) => environment.name);
  const chosen = requested ?? names[0];
  if (chosen === undefined || !names.includes(chosen)) {
    throw usageError(
      `${displayPath} has no environment ${JSON.stringify(requested)}`,
      `its environments are: ${names.join(", ") || "(none)"}`,
    );
  }
  return chosen;
}
