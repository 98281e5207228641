import { candidatesFor } from "./candidates.js";
import { allCommands, type CommandEntry, flagsTakingValues, shellQuote } from "./command-tree.js";

/**
 * A fish completion script: a helper function finds the command path typed so far, and one
 * `complete` line per word offers it only under its own command.
 * Load with `slipway completion fish | source`, or save it in ~/.config/fish/completions/slipway.fish.
 */
export function fishCompletionScript(root: CommandEntry): string {
  const commands = allCommands(root);
  const valueFlagList = flagsTakingValues(root);
  const valueFlags = valueFlagList.map(shellQuote).join(" ");
  const knownPaths = commands
    .filter((command) => command.path.length > 0)
    .map((command) => shellQuote(command.path.join(" ")))
    .join(" ");
  const lines = commands.flatMap((command) => {
    const condition = shellQuote(
      `test (__slipway_command_path) = ${shellQuote(["slipway", ...command.path].join(" "))}`,
    );
    const files = command.takesPath ? [`complete -c slipway -n ${condition} -F`] : [];
    return [
      ...files,
      ...candidatesFor(command, root).map((candidate) => {
        const what = candidate.word.startsWith("--")
          ? `-l ${shellQuote(candidate.word.slice(2))}`
          : candidate.word.startsWith("-")
            ? `-s ${shellQuote(candidate.word.slice(1))}`
            : `-a ${shellQuote(candidate.word)}`;
        const needsValue =
          candidate.word.startsWith("-") && valueFlagList.includes(candidate.word) ? " -r" : "";
        return `complete -c slipway -n ${condition} ${what}${needsValue} -d ${shellQuote(candidate.description)}`;
      }),
    ];
  });
  return `# fish completion for slipway
# Load it now:        slipway completion fish | source
# Load it always:     slipway completion fish > ~/.config/fish/completions/slipway.fish

function __slipway_command_path
    set -l known ${knownPaths}
    set -l value_flags ${valueFlags}
    set -l words (commandline -opc)
    set -l command_path ""
    set -l skip 0
    for word in $words[2..-1]
        if test $skip -eq 1
            set skip 0
            continue
        end
        if contains -- $word $value_flags
            set skip 1
            continue
        end
        if string match -q -- '-*' $word
            continue
        end
        set -l candidate (string trim -- "$command_path $word")
        if contains -- $candidate $known
            set command_path $candidate
        end
    end
    # Prefixed so the root is "slipway", never an empty string.
    string trim -- "slipway $command_path"
end

complete -c slipway -f
${lines.join("\n")}
`;
}
