import { apiPath } from "./api-path.js";
import { CliError, usageError } from "./cli-error.js";
import type { CommandContext } from "./command-context.js";
import { ExitCode } from "./exit-codes.js";
import type { ApiClient } from "./http-client.js";
import { chooseEnvironment, readValidSpec } from "./local-spec.js";
import { serviceDetailResponse } from "./run-api-schemas.js";
import { DEFAULT_SPEC_FILE } from "./spec-file.js";

/** The service and environment a command acts on. */
export interface ServiceEnvironment {
  service: string;
  /** Undefined when it is to be asked from the server (see {@link firstEnvironment}). */
  environment: string | undefined;
}

/**
 * The service named on the command line, else the one in ./slipway.yaml (whose first environment
 * is then the default). Without either, a usage error says how to name one.
 */
export async function serviceFromArgumentOrSpec(
  ctx: CommandContext,
  service: string | undefined,
  env: string | undefined,
  commandName: string,
): Promise<ServiceEnvironment | undefined> {
  if (service !== undefined) {
    return { service, environment: env };
  }
  const spec = await readValidSpec(ctx, DEFAULT_SPEC_FILE, {}).catch((error: unknown) => {
    throw error instanceof CliError && error.exitCode === ExitCode.notFound
      ? usageError(
          "no service named and no slipway.yaml here",
          `name the service: \`slipway ${commandName} SERVICE\``,
        )
      : error;
  });
  if (!spec) {
    return undefined;
  }
  return {
    service: spec.spec.service,
    environment: chooseEnvironment(spec.spec, env, spec.displayPath),
  };
}

/** `--env`, else the service's first environment as the server has it (the start of promotion). */
export async function environmentOrFirst(
  client: ApiClient,
  service: string,
  environment: string | undefined,
): Promise<string> {
  if (environment !== undefined) {
    return environment;
  }
  const { service: found } = await client.get(apiPath("services", service), serviceDetailResponse);
  const first = [...found.environments].sort((a, b) => (a.position ?? 0) - (b.position ?? 0))[0];
  if (!first) {
    throw new CliError(`${service} has no environments`, {
      hint: "add one to slipway.yaml and `slipway apply` it",
    });
  }
  return first.name;
}
