import { Command, CommanderError } from "commander";
import type { CliIo } from "./cli-io.js";
import { actionFactory, type RunState } from "./command-action.js";
import { toCliError } from "./error-mapping.js";
import { ExitCode, type ExitCodeValue } from "./exit-codes.js";
import { createColors, shouldUseColor } from "./output/colors.js";
import { renderError } from "./output/render-error.js";
import { registerCommands } from "./program.js";
import { DEFAULT_SERVER_URL } from "./server-url.js";
import { cliVersion } from "./version.js";

/**
 * Runs the `slipway` command line (`argv` without the node and script paths) and resolves to its
 * exit code. Never throws: every error is printed as `error:` + `hint:` and becomes an exit code.
 */
export async function runCli(argv: string[], io: CliIo): Promise<ExitCodeValue> {
  const state: RunState = { exitCode: ExitCode.ok, context: undefined };
  const program = buildProgram(io, state);
  try {
    await program.parseAsync(argv, { from: "user" });
    return state.exitCode;
  } catch (error) {
    if (error instanceof CommanderError && isHelpOrVersion(error.code)) {
      // Help was already printed: explicit help and --version succeed; help shown for a missing subcommand is a usage error.
      return error.code === "commander.help" ? ExitCode.usage : ExitCode.ok;
    }
    const cliError = toCliError(error, {
      url: state.context?.lastUrl ?? DEFAULT_SERVER_URL,
      command: commandPath(program, argv),
    });
    const debug = argv.includes("--debug");
    const colors = createColors(
      shouldUseColor({ isTTY: io.stderr.isTTY === true, env: io.env, json: false }),
    );
    io.stderr.write(renderError(cliError, { colors, debug }));
    return cliError.exitCode;
  }
}

/** The whole command tree, wired to `io`; exported for the completion scripts and their tests. */
export function buildProgram(
  io: CliIo,
  state: RunState = { exitCode: ExitCode.ok, context: undefined },
): Command {
  const program = new Command("slipway")
    .description("Slipway: deliver, run and monitor your services. The CLI talks to the Slipway HTTP API.")
    .version(cliVersion(), "-V, --version", "print the CLI's version")
    .option("--json", "machine-readable JSON output (no colours, no spinner)")
    .option("--debug", "print HTTP traces and stack traces to stderr")
    .option(
      "--url <url>",
      "the Slipway server (default: from `slipway login`, SLIPWAY_URL, or http://127.0.0.1:7420)",
    )
    .option("--token <token>", "the API token to use (default: from `slipway login` or SLIPWAY_TOKEN)")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Parse errors are printed by runCli in the same `error:` + `hint:` form as every other error.
      outputError: () => undefined,
    });
  registerCommands(program, actionFactory(io, state));
  return program;
}

function isHelpOrVersion(code: string): boolean {
  return code === "commander.help" || code === "commander.helpDisplayed" || code === "commander.version";
}

/** The subcommand path named on the line (e.g. `tokens create`), for usage hints. */
function commandPath(program: Command, argv: string[]): string | undefined {
  const names: string[] = [];
  let current = program;
  for (let index = 0; index < argv.length; index += 1) {
    const word = argv[index] ?? "";
    if (word.startsWith("-")) {
      // The global options that take a value: skip the value too.
      if (word === "--url" || word === "--token") {
        index += 1;
      }
      continue;
    }
    const next = current.commands.find(
      (command) => command.name() === word || command.aliases().includes(word),
    );
    if (!next) {
      break;
    }
    names.push(next.name());
    current = next;
  }
  return names.length > 0 ? names.join(" ") : undefined;
}
