import type { CommandEntry, OptionEntry } from "./command-tree.js";

/** One word a shell may offer after a command path, with its description. */
export interface Candidate {
  word: string;
  description: string;
}

/**
 * What may follow the command at `command.path`: its subcommands, its argument's fixed choices,
 * its options, and (below the root) the global options, which commander accepts anywhere.
 */
export function candidatesFor(command: CommandEntry, root: CommandEntry): Candidate[] {
  const options: OptionEntry[] =
    command === root ? root.options : [...command.options, ...globalOptions(root)];
  const seen = new Set<string>();
  const candidates: Candidate[] = [
    ...command.subcommands.map((sub) => ({ word: sub.path.at(-1) ?? "", description: sub.description })),
    ...command.argumentChoices.map((choice) => ({ word: choice, description: `${choice}` })),
    ...options.flatMap((option) =>
      option.flags.map((flag) => ({ word: flag, description: option.description })),
    ),
  ];
  return candidates.filter((candidate) => {
    if (seen.has(candidate.word)) {
      return false;
    }
    seen.add(candidate.word);
    return true;
  });
}

/** The root's options minus help and version, which only mean something on the root. */
function globalOptions(root: CommandEntry): OptionEntry[] {
  return root.options.filter(
    (option) => !option.flags.includes("--help") && !option.flags.includes("--version"),
  );
}
