import type { Command } from "commander";
import type { ActionFactory } from "../command-action.js";

/** `slipway schema`: the JSON Schema of slipway.yaml, generated from the spec's zod schema. */
export function registerSchemaCommand(program: Command, action: ActionFactory): void {
  program
    .command("schema")
    .description("print the JSON Schema of slipway.yaml (for editors and other tools)")
    .action(
      action(async (ctx) => {
        // Loaded on demand: most commands never need the spec code.
        const { serviceSpecJsonSchema } = await import("../../spec/index.js");
        ctx.output.data(serviceSpecJsonSchema());
      }),
    );
}
