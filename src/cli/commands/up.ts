import { join, resolve } from "node:path";
import type { Command } from "commander";
import { CliError, usageError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import type { CommandContext } from "../command-context.js";
import { loadConfig, saveConfig } from "../config-file.js";

interface UpOptions {
  data?: string;
  port: number;
  host: string;
  logLevel?: string;
}

/**
 * `slipway up`: runs the platform in the foreground (the API; later the dashboard and router)
 * until SIGINT or SIGTERM, which shut it down gracefully.
 */
export function registerUpCommand(program: Command, action: ActionFactory): void {
  program
    .command("up")
    .description("start the Slipway platform in the foreground (Ctrl-C stops it)")
    .option("--data <dir>", "the data directory (default: SLIPWAY_HOME or ~/.slipway)")
    .option("--port <n>", "the port to listen on (0: any free port)", parsePort, 7420)
    .option(
      "--host <host>",
      "the address to listen on; other than 127.0.0.1 exposes Slipway to the network",
      "127.0.0.1",
    )
    .option(
      "--log-level <level>",
      "server log level: fatal, error, warn, info, debug, trace or silent (default: SLIPWAY_LOG_LEVEL or info)",
    )
    .action(
      action(async (ctx, command) => {
        const options = command.opts<UpOptions>();
        const { env, cwd, homeDir } = ctx.io;
        const home = resolve(cwd, options.data ?? (env.SLIPWAY_HOME || join(homeDir, ".slipway")));
        // Loaded here, not at the top: every other command starts faster without the server code.
        const { startPlatform } = await import("../../api/index.js");
        const platform = await startPlatform({
          home,
          port: options.port,
          host: options.host,
          ...(env.SLIPWAY_DATABASE_URL ? { databaseUrl: env.SLIPWAY_DATABASE_URL } : {}),
          ...(env.SLIPWAY_SECRET_KEY ? { secretKey: env.SLIPWAY_SECRET_KEY } : {}),
          logLevel: options.logLevel ?? (env.SLIPWAY_LOG_LEVEL || "info"),
          handleSignals: true,
        }).catch((error: unknown) => {
          throw startFailure(error, options);
        });
        const url = clientUrl(platform.url);
        const configWritten =
          platform.adminToken !== null && (await saveFirstLogin(ctx, url, platform.adminToken));
        if (ctx.output.json) {
          ctx.output.data({
            url,
            home,
            adminToken: platform.adminToken,
            configWritten,
            configPath: ctx.configPath,
          });
          return;
        }
        printBanner(ctx, { url, home, adminToken: platform.adminToken, configWritten });
      }),
    );
}

function printBanner(
  ctx: CommandContext,
  facts: { url: string; home: string; adminToken: string | null; configWritten: boolean },
): void {
  const { output } = ctx;
  const { bold, green } = output.colors;
  output.line(`${green("Slipway is running at")} ${bold(facts.url)}`);
  output.line(`  data:          ${facts.home}`);
  output.line(`  API reference: ${facts.url}/api/v1/reference`);
  if (facts.adminToken !== null) {
    output.line("");
    output.line("First start: an admin user was created. Its token is shown only this once:");
    output.line(`  ${bold(facts.adminToken)}`);
    output.line(
      `hint: log in from another shell or machine with \`slipway login ${facts.url} --token ${facts.adminToken}\``,
    );
    if (facts.configWritten) {
      output.line(
        `Saved the URL and this token to ${ctx.configPath}, so \`slipway\` commands here work right away.`,
      );
    }
  }
  output.line("");
  output.line("Press Ctrl-C to stop.");
}

/** On the very first start, log this machine's CLI in, unless a config already exists. */
async function saveFirstLogin(ctx: CommandContext, url: string, token: string): Promise<boolean> {
  try {
    if ((await loadConfig(ctx.configPath)) !== null) {
      return false;
    }
    await saveConfig(ctx.configPath, { url, token });
    return true;
  } catch (error) {
    ctx.output.warn(`could not save the login (${error instanceof Error ? error.message : String(error)})`);
    return false;
  }
}

/** A server on every address (0.0.0.0, ::) is reached from this machine at the loopback address. */
function clientUrl(serverUrl: string): string {
  return serverUrl.replace("//0.0.0.0:", "//127.0.0.1:").replace("//[::]:", "//127.0.0.1:");
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw usageError(
      `--port ${value} is not a port number`,
      "use a number from 1 to 65535, or 0 for any free port",
    );
  }
  return port;
}

function startFailure(error: unknown, options: UpOptions): unknown {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  if (code === "EADDRINUSE") {
    return new CliError(`port ${options.port} on ${options.host} is already in use`, {
      hint: "is another `slipway up` running? pick another port with --port",
      cause: error,
    });
  }
  if (code === "EACCES" || code === "EADDRNOTAVAIL") {
    return new CliError(`cannot listen on ${options.host}:${options.port} (${code})`, {
      hint: "pick a port above 1023 with --port, or an address of this machine with --host",
      cause: error,
    });
  }
  return error;
}
