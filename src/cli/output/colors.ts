import pc from "picocolors";

/** The colour functions the CLI uses; identity functions when colours are off. */
export type Colors = ReturnType<typeof pc.createColors>;

/**
 * Colours only for a person at a terminal: stdout is a TTY, NO_COLOR is unset (https://no-color.org)
 * and the output is not `--json`.
 */
export function shouldUseColor(options: { isTTY: boolean; env: NodeJS.ProcessEnv; json: boolean }): boolean {
  return options.isTTY && !options.json && !("NO_COLOR" in options.env && options.env.NO_COLOR !== "");
}

/** Colour functions that colour or not. */
export function createColors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}
