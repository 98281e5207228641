import { candidatesFor } from "./candidates.js";
import { allCommands, type CommandEntry, flagsTakingValues, shellQuote } from "./command-tree.js";

/**
 * A zsh completion script: finds the command path typed so far and offers that command's
 * subcommands and flags with their descriptions (`_describe`), files where a value is expected.
 * Load with `source <(slipway completion zsh)` or save it as `_slipway` in a directory of $fpath.
 */
export function zshCompletionScript(root: CommandEntry): string {
  const commands = allCommands(root);
  const valueFlags = flagsTakingValues(root).join("|");
  const knownPaths = commands
    .filter((command) => command.path.length > 0)
    .map((command) => `"${command.path.join(" ")}"`)
    .join("|");
  const cases = commands
    .map((command) => {
      const entries = candidatesFor(command, root)
        .map((candidate) => shellQuote(`${candidate.word.replaceAll(":", "\\:")}:${candidate.description}`))
        .join(" ");
      const files = command.takesPath ? " files=1" : "";
      return `    ("${command.path.join(" ")}") entries=(${entries})${files} ;;`;
    })
    .join("\n");
  return `#compdef slipway
# zsh completion for slipway
# Load it now:        source <(slipway completion zsh)
# Load it always:     slipway completion zsh > "\${fpath[1]}/_slipway"

_slipway() {
  local word command_path="" prev="" i skip=0 files=0
  local -a entries
  for (( i = 2; i < CURRENT; i++ )); do
    word="\${words[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$word" in
      (${valueFlags}) skip=1; continue ;;
      (-*) continue ;;
    esac
    case "\${command_path:+$command_path }$word" in
      (${knownPaths}) command_path="\${command_path:+$command_path }$word" ;;
    esac
  done
  if (( CURRENT > 1 )); then prev="\${words[CURRENT-1]}"; fi
  case "$prev" in
    (${valueFlags}) _files; return ;;
  esac
  case "$command_path" in
${cases}
  esac
  _describe -t slipway 'slipway' entries
  if (( files )); then _files; fi
}

if [[ "\${funcstack[1]}" == "_slipway" ]]; then
  _slipway "$@"
else
  compdef _slipway slipway
fi
`;
}
