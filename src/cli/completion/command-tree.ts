import type { Command } from "commander";

/** One option as completion scripts need it. */
export interface OptionEntry {
  /** Every spelling: `--json`, or `-f` and `--follow`. */
  flags: string[];
  /** Whether a value follows it (`--env <environment>`). */
  takesValue: boolean;
  description: string;
}

/** One command of the tree: its path from the root (`["tokens", "create"]`), subcommands and options. */
export interface CommandEntry {
  path: string[];
  description: string;
  subcommands: CommandEntry[];
  /** Its own options plus `--help`; global options are listed on the root. */
  options: OptionEntry[];
  /** Fixed values of its first argument, e.g. the shells of `completion`. */
  argumentChoices: string[];
  /** Whether an argument is a file or directory (`[file]`, `[dir]`), so shells offer paths. */
  takesPath: boolean;
}

const pathArgumentNames = new Set(["file", "dir"]);

const helpOption: OptionEntry = { flags: ["-h", "--help"], takesValue: false, description: "show help" };

/** Reads the command tree out of commander, so the completion scripts can never miss a command. */
export function commandTree(program: Command, path: string[] = []): CommandEntry {
  return {
    path,
    description: program.description(),
    subcommands: program.commands.map((command) => commandTree(command, [...path, command.name()])),
    options: [
      ...program.options.map((option) => ({
        flags: [option.short, option.long].filter((flag): flag is string => typeof flag === "string"),
        takesValue: option.required || option.optional,
        description: option.description,
      })),
      helpOption,
    ],
    argumentChoices: program.registeredArguments[0]?.argChoices ?? [],
    takesPath: program.registeredArguments.some((argument) => pathArgumentNames.has(argument.name())),
  };
}

/** The tree flattened, root first, parents before children. */
export function allCommands(root: CommandEntry): CommandEntry[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

/** Every option flag that takes a value, anywhere in the tree (their values are not commands). */
export function flagsTakingValues(root: CommandEntry): string[] {
  const flags = allCommands(root).flatMap((command) =>
    command.options.filter((option) => option.takesValue).flatMap((option) => option.flags),
  );
  return [...new Set(flags)];
}

/** Quotes text for a single-quoted shell string (bash, zsh and fish accept this form). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
