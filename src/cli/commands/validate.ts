import type { Command } from "commander";
import type { ActionFactory } from "../command-action.js";
import { ExitCode } from "../exit-codes.js";
import { DEFAULT_SPEC_FILE, loadSpecFile, printSpecErrors } from "../spec-file.js";

/** `slipway validate [file]`: checks a slipway.yaml locally and prints every error at once. */
export function registerValidateCommand(program: Command, action: ActionFactory): void {
  program
    .command("validate")
    .description("check a slipway.yaml locally; prints every error as file:line:column (exit 1 when invalid)")
    .argument("[file]", "the spec file", DEFAULT_SPEC_FILE)
    .action(
      action(async (ctx, command) => {
        const [file] = command.processedArgs as [string];
        const { result, displayPath } = await loadSpecFile(file, ctx.io.cwd);
        if (ctx.output.json) {
          ctx.output.data(
            result.ok
              ? { valid: true, errors: [], warnings: result.warnings, service: result.spec.service }
              : { valid: false, errors: result.errors },
          );
        } else if (result.ok) {
          await printSpecErrors(ctx.output, result.warnings);
          ctx.output.line(`${displayPath} is valid (service ${result.spec.service})`);
        } else {
          await printSpecErrors(ctx.output, result.errors);
          const count = result.errors.length;
          ctx.output.note(`${displayPath} is invalid: ${count} ${count === 1 ? "error" : "errors"}`);
        }
        if (!result.ok) {
          ctx.exitCode = ExitCode.failure;
        }
      }),
    );
}
