import { stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { Command } from "commander";
import type { DetectedApp } from "../../spec/index.js";
import { CliError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import type { CommandContext } from "../command-context.js";
import { ExitCode } from "../exit-codes.js";
import { DEFAULT_SPEC_FILE } from "../spec-file.js";

interface InitOptions {
  name?: string;
  force?: boolean;
}

/**
 * `slipway init [dir]`: detects the kind of app in `dir` and writes a slipway.yaml for it, with a
 * `$schema` line so editors complete and check it. An existing file is kept unless --force.
 */
export function registerInitCommand(program: Command, action: ActionFactory): void {
  program
    .command("init")
    .description("write a slipway.yaml for the app in a directory (detects Node, Python, Go, static sites)")
    .argument("[dir]", "the app's directory", ".")
    .option("--name <name>", "the service name (default: from the app, e.g. package.json)")
    .option("--force", "overwrite an existing slipway.yaml")
    .action(
      action(async (ctx, command) => {
        const [dir] = command.processedArgs as [string];
        const options = command.opts<InitOptions>();
        const directory = resolve(ctx.io.cwd, dir);
        await requireDirectory(directory, dir);
        const target = join(directory, DEFAULT_SPEC_FILE);
        const shown = relative(ctx.io.cwd, target) || DEFAULT_SPEC_FILE;
        const existed = await exists(target);
        if (existed && !options.force) {
          throw new CliError(`${shown} already exists`, {
            hint: "edit it, or pass --force to replace it with a freshly detected one",
            exitCode: ExitCode.conflict,
          });
        }
        const { detectApp, renderInitSpec } = await import("../../spec/index.js");
        const detected = await detectApp(directory);
        const text = renderInitSpec(detected, {
          ...(options.name ? { name: options.name } : {}),
          schemaUrl: await schemaUrl(ctx),
        });
        await writeFile(target, text, { flag: options.force ? "w" : "wx" });
        if (ctx.output.json) {
          ctx.output.data({
            file: target,
            overwritten: existed,
            service: serviceName(text, detected),
            detected,
          });
          return;
        }
        printDetected(ctx, detected, serviceName(text, detected));
        ctx.output.line(`${existed ? "replaced" : "wrote"} ${shown}`);
        ctx.output.note("next: review it, check it with `slipway validate`, then `slipway apply`");
      }),
    );
}

const kindNames: Record<DetectedApp["kind"], string> = {
  node: "a Node.js app",
  python: "a Python app",
  go: "a Go app",
  static: "a static site",
  unknown: "no app kind it recognises",
};

/** What init found and why, so a wrong guess is easy to spot before the file is used. */
function printDetected(ctx: CommandContext, detected: DetectedApp, service: string): void {
  const { output } = ctx;
  output.line(`detected ${kindNames[detected.kind]}:`);
  for (const line of detected.evidence) {
    output.line(`  - ${line}`);
  }
  const health = detected.health.type === "http" ? `http ${detected.health.path}` : "tcp";
  const settings: Array<[string, string]> = [
    ["service", service],
    ["build", detected.build ?? "(none)"],
    ["start", detected.start ?? "(unknown: fill it in)"],
    ["health", health],
  ];
  for (const [key, value] of settings) {
    output.line(`  ${`${key}:`.padEnd(9)}${value}`);
  }
}

/** The name as written: the spec module turns a --name that is not a DNS label into one. */
function serviceName(text: string, detected: DetectedApp): string {
  return /^service: (.+)$/m.exec(text)?.[1] ?? detected.name;
}

/** Where editors fetch the schema: the configured server, else the default local one. */
async function schemaUrl(ctx: CommandContext): Promise<string> {
  const { url } = await ctx.target();
  return `${url}/api/v1/schema/slipway.json`;
}

async function requireDirectory(directory: string, shown: string): Promise<void> {
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new CliError(`${shown} is not a directory`, {
      hint: "run `slipway init` inside your app, or name its directory",
      exitCode: ExitCode.notFound,
    });
  }
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
