import type { Command } from "commander";
import type { CliIo } from "./cli-io.js";
import { CommandContext, type GlobalOptions } from "./command-context.js";
import type { ExitCodeValue } from "./exit-codes.js";

/** A command's body: it prints its result through `ctx.output`, and may set `ctx.exitCode`. */
export type CommandHandler = (ctx: CommandContext, command: Command) => Promise<void>;

/** Turns a {@link CommandHandler} into a commander action. */
export type ActionFactory = (handler: CommandHandler) => (...commanderArgs: unknown[]) => Promise<void>;

/** What one run of the CLI learned while running, read by the error handler and the exit code. */
export interface RunState {
  exitCode: ExitCodeValue;
  context: CommandContext | undefined;
}

/**
 * The action factory for one run: commander passes the command object last; the handler gets a
 * fresh context built from the global options (wherever they were written on the line).
 */
export function actionFactory(io: CliIo, state: RunState): ActionFactory {
  return (handler) =>
    async (...commanderArgs) => {
      const command = commanderArgs.at(-1) as Command;
      const context = new CommandContext(io, command.optsWithGlobals<GlobalOptions>());
      state.context = context;
      await handler(context, command);
      state.exitCode = context.exitCode;
    };
}
