import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { parseDuration } from "../../spec/index.js";
import { apiPath } from "../api-path.js";
import { CliError, usageError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import { CommandContext } from "../command-context.js";
import { loadConfig, saveConfig } from "../config-file.js";
import { dataDirectory } from "../data-dir.js";
import { deploy } from "./deploy.js";

interface UpOptions {
  data?: string;
  port: number;
  routerPort: number;
  host: string;
  logLevel?: string;
  deploy: string[];
  eventRetention?: string;
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
    .option("--port <n>", "the port of the API and dashboard (0: any free port)", parsePort, 7420)
    .option("--router-port <n>", "the port services are served on (0: any free port)", parsePort, 7480)
    .option(
      "--deploy <dir>",
      "once started, deploy this service directory unless it already runs (repeatable)",
      (dir: string, all: string[]) => [...all, dir],
      [] as string[],
    )
    .option(
      "--host <host>",
      "the address to listen on; other than 127.0.0.1 exposes Slipway to the network",
      "127.0.0.1",
    )
    .option(
      "--event-retention <duration>",
      "how long events are kept, e.g. 30d or 12h; forever keeps them all (default: SLIPWAY_EVENT_RETENTION or 90d)",
    )
    .option(
      "--log-level <level>",
      "server log level: fatal, error, warn, info, debug, trace or silent (default: SLIPWAY_LOG_LEVEL or info)",
    )
    .action(
      action(async (ctx, command) => {
        const options = command.opts<UpOptions>();
        const { env, cwd } = ctx.io;
        const home = dataDirectory(ctx.io, options.data);
        const eventRetentionMs = parseRetention(
          options.eventRetention ?? (env.SLIPWAY_EVENT_RETENTION || "90d"),
        );
        // Loaded here, not at the top: every other command starts faster without the server code.
        const { startPlatform } = await import("../../api/index.js");
        const platform = await startPlatform({
          home,
          port: options.port,
          routerPort: options.routerPort,
          host: options.host,
          ...(env.SLIPWAY_DATABASE_URL ? { databaseUrl: env.SLIPWAY_DATABASE_URL } : {}),
          ...(env.SLIPWAY_SECRET_KEY ? { secretKey: env.SLIPWAY_SECRET_KEY } : {}),
          logLevel: options.logLevel ?? (env.SLIPWAY_LOG_LEVEL || "info"),
          eventRetentionMs,
          handleSignals: true,
          ...(env.SLIPWAY_ISOLATION === "off" ? { isolation: "off" } : {}),
        }).catch((error: unknown) => {
          throw startFailure(error, options);
        });
        const url = clientUrl(platform.url);
        const configWritten =
          platform.adminToken !== null && (await saveFirstLogin(ctx, url, platform.adminToken));
        if (ctx.output.json) {
          ctx.output.data({
            url,
            routerUrl: platform.routerUrl,
            home,
            adminToken: platform.adminToken,
            configWritten,
            configPath: ctx.configPath,
          });
        } else {
          printBanner(ctx, {
            url,
            routerUrl: platform.routerUrl,
            home,
            adminToken: platform.adminToken,
            configWritten,
            unisolatedBecause: platform.services.users.disabledBecause,
          });
        }
        for (const dir of options.deploy) {
          await deployOnStart(ctx, { url, adminToken: platform.adminToken }, resolve(cwd, dir));
        }
        if (!ctx.output.json) {
          ctx.output.line("");
          ctx.output.line(
            "Press Ctrl-C to stop the platform (services keep running); `slipway down` stops everything.",
          );
        }
      }),
    );
}

/**
 * Deploys a service directory right after the platform starts (the README's first command does
 * this with examples/hello-api), unless that service already runs: a restart adopts it instead.
 */
async function deployOnStart(
  ctx: CommandContext,
  platform: { url: string; adminToken: string | null },
  dir: string,
): Promise<void> {
  const env = {
    ...ctx.io.env,
    SLIPWAY_URL: platform.url,
    ...(platform.adminToken ? { SLIPWAY_TOKEN: platform.adminToken } : {}),
  };
  const deployCtx = new CommandContext({ ...ctx.io, env, cwd: dir }, ctx.globals);
  try {
    const spec = await readFile(join(dir, "slipway.yaml"), "utf8");
    const name = /^service:\s*([a-z][-a-z0-9]*)\s*$/m.exec(spec)?.[1];
    if (name) {
      const client = await deployCtx.client();
      const status = await client
        .send("GET", apiPath("services", name, "status"), runningStatus)
        .catch(() => undefined);
      const live = status?.environments.find((e) => e.release !== null && e.url !== null);
      if (live) {
        ctx.output.line(
          `${name} already runs v${live.release?.version} at ${live.url}; not redeploying (use \`slipway deploy ${dir}\`)`,
        );
        return;
      }
    }
    ctx.output.line("");
    ctx.output.line(`Deploying ${dir}`);
    await deploy(deployCtx, ".", { wait: true, timeout: "10m" });
  } catch (error) {
    ctx.output.warn(`could not deploy ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

const runningStatus = z.object({
  environments: z.array(
    z.object({ url: z.string().nullable(), release: z.object({ version: z.number() }).nullable() }),
  ),
});

function printBanner(
  ctx: CommandContext,
  facts: {
    url: string;
    routerUrl: string;
    home: string;
    adminToken: string | null;
    configWritten: boolean;
    unisolatedBecause: string | undefined;
  },
): void {
  const { output } = ctx;
  const { bold, green } = output.colors;
  output.line(`${green("Slipway is running at")} ${bold(facts.url)}`);
  output.line(
    `  services:      ${facts.routerUrl} (http://SERVICE.ENVIRONMENT.localhost:${new URL(facts.routerUrl).port})`,
  );
  output.line(`  metrics:       ${facts.url}/metrics`);
  output.line(`  data:          ${facts.home}`);
  output.line(`  API reference: ${facts.url}/api/v1/reference`);
  output.line(
    facts.unisolatedBecause === undefined
      ? "  workloads:     each environment's replicas and each service's builds as a user of their own"
      : `  workloads:     ${output.colors.yellow("as the platform's own user")}: ${facts.unisolatedBecause}`,
  );
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

/** `90d`, `12h`…, or `forever` (0: nothing is pruned). */
function parseRetention(value: string): number {
  if (value === "forever") {
    return 0;
  }
  const ms = parseDuration(value);
  if (ms === undefined || ms < 60_000) {
    throw usageError(
      `--event-retention ${value} is not a retention period`,
      "use a duration of at least a minute, e.g. 30d, 12h or 1d12h, or forever to keep every event",
    );
  }
  return ms;
}

function startFailure(error: unknown, options: UpOptions): unknown {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  // The router reports its own listen errors; the API's come from Fastify.
  const router = error instanceof Error && (error as { router?: boolean }).router === true;
  const port = router ? options.routerPort : options.port;
  const flag = router ? "--router-port" : "--port";
  const what = router ? "the router's port" : "port";
  if (code === "EADDRINUSE") {
    return new CliError(`${what} ${port} on ${options.host} is already in use`, {
      hint: `is another \`slipway up\` running? pick another port with ${flag}`,
      cause: error,
    });
  }
  if (code === "EACCES" || code === "EADDRNOTAVAIL") {
    return new CliError(`cannot listen on ${options.host}:${port} (${code})`, {
      hint: `pick a port above 1023 with ${flag}, or an address of this machine with --host`,
      cause: error,
    });
  }
  return error;
}
