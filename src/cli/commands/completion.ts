import type { Command } from "commander";
import { Argument } from "commander";
import type { ActionFactory } from "../command-action.js";
import { bashCompletionScript } from "../completion/bash.js";
import { commandTree } from "../completion/command-tree.js";
import { fishCompletionScript } from "../completion/fish.js";
import { zshCompletionScript } from "../completion/zsh.js";

const scripts = { bash: bashCompletionScript, zsh: zshCompletionScript, fish: fishCompletionScript };

/** `slipway completion bash|zsh|fish`: prints a completion script built from the command tree. */
export function registerCompletionCommand(program: Command, action: ActionFactory): void {
  program
    .command("completion")
    .description("print a shell completion script (e.g. `source <(slipway completion bash)`)")
    .addArgument(new Argument("<shell>", "the shell").choices(Object.keys(scripts)))
    .action(
      action(async (ctx, command) => {
        const [shell] = command.processedArgs as [keyof typeof scripts];
        const script = scripts[shell](commandTree(program));
        if (ctx.output.json) {
          ctx.output.data({ shell, script });
          return;
        }
        ctx.io.stdout.write(script);
      }),
    );
}
