import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import { serviceWriteResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import { toCliError } from "../error-mapping.js";
import { ExitCode } from "../exit-codes.js";
import { parseBody } from "../http-client.js";
import { ApiError } from "../http-errors.js";
import { DEFAULT_SPEC_FILE, loadSpecFile, printSpecErrors } from "../spec-file.js";

/**
 * `slipway apply [file]`: checks slipway.yaml locally, then sends its text to the server
 * (PUT /api/v1/services/:name), which checks it again and stores it.
 */
export function registerApplyCommand(program: Command, action: ActionFactory): void {
  program
    .command("apply")
    .description("create or update a service from its slipway.yaml")
    .argument("[file]", "the spec file", DEFAULT_SPEC_FILE)
    .action(
      action(async (ctx, command) => {
        const [file] = command.processedArgs as [string];
        const client = await ctx.client();
        const { result, displayPath, absolutePath } = await loadSpecFile(file, ctx.io.cwd);
        if (!result.ok) {
          if (ctx.output.json) {
            ctx.output.data({ applied: false, errors: result.errors });
          } else {
            await printSpecErrors(ctx.output, result.errors);
            ctx.output.note(`${displayPath} is invalid; nothing was sent to the server`);
          }
          ctx.exitCode = ExitCode.failure;
          return;
        }
        const name = result.spec.service;
        const source = await readFile(absolutePath, "utf8");
        let response: Awaited<ReturnType<typeof client.request>>;
        try {
          response = await client.request("PUT", apiPath("services", name), {
            body: { source, file: basename(displayPath) },
          });
        } catch (error) {
          // The server's line/column errors are about this file: name it as the user wrote it.
          throw error instanceof ApiError
            ? toCliError(error, { url: client.baseUrl, file: displayPath })
            : error;
        }
        const { service } = parseBody(
          `PUT ${apiPath("services", name)}`,
          serviceWriteResponse,
          response.body,
        );
        const created = response.status === 201;
        if (ctx.output.json) {
          // The whole stored service (spec and environments), not just the fields the CLI reads.
          ctx.output.data({
            applied: true,
            created,
            service: (response.body as { service: unknown }).service,
          });
          return;
        }
        ctx.output.line(`${created ? "created" : "updated"} service ${service.name} from ${displayPath}`);
      }),
    );
}
