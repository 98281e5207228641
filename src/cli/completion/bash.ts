import { candidatesFor } from "./candidates.js";
import { allCommands, type CommandEntry, flagsTakingValues } from "./command-tree.js";

/**
 * A bash completion script for the command tree: it finds the command path typed so far, then
 * offers that command's subcommands and flags; values of flags and file arguments fall back to
 * file names (`complete -o default`). Load with `source <(slipway completion bash)`.
 */
export function bashCompletionScript(root: CommandEntry): string {
  const commands = allCommands(root);
  const valueFlags = flagsTakingValues(root).join("|");
  const knownPaths = commands
    .filter((command) => command.path.length > 0)
    .map((command) => `"${command.path.join(" ")}"`)
    .join("|");
  const cases = commands
    .map((command) => {
      const words = candidatesFor(command, root).map((candidate) => candidate.word);
      return `    "${command.path.join(" ")}") candidates="${words.join(" ")}" ;;`;
    })
    .join("\n");
  return `# bash completion for slipway
# Load it now:        source <(slipway completion bash)
# Load it always:     slipway completion bash > ~/.local/share/bash-completion/completions/slipway

_slipway_completions() {
  local cur prev word candidates="" command_path="" i skip=0
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  if (( COMP_CWORD > 0 )); then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  for (( i = 1; i < COMP_CWORD; i++ )); do
    word="\${COMP_WORDS[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$word" in
      ${valueFlags}) skip=1; continue ;;
      -*) continue ;;
    esac
    case "\${command_path:+$command_path }$word" in
      ${knownPaths}) command_path="\${command_path:+$command_path }$word" ;;
    esac
  done
  case "$prev" in
    ${valueFlags}) COMPREPLY=(); return 0 ;;
  esac
  case "$command_path" in
${cases}
  esac
  COMPREPLY=( $(compgen -W "$candidates" -- "$cur") )
  return 0
}
complete -o default -F _slipway_completions slipway
`;
}
