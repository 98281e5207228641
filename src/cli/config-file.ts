import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { CliError } from "./cli-error.js";

/** What `slipway login` remembers: the server and the token to use with it. */
export interface CliConfig {
  url: string;
  token?: string;
}

const cliConfigSchema = z.object({ url: z.string().min(1), token: z.string().min(1).optional() });

/** A config file read from disk, with warnings about it (e.g. permissions too open). */
export interface LoadedConfig {
  config: CliConfig;
  warnings: string[];
}

/**
 * Where the config lives: `$SLIPWAY_CONFIG`, else `$XDG_CONFIG_HOME/slipway/config.json`,
 * else `~/.config/slipway/config.json`.
 */
export function configFilePath(env: NodeJS.ProcessEnv, homeDir: string): string {
  if (env.SLIPWAY_CONFIG) {
    return env.SLIPWAY_CONFIG;
  }
  const configHome = env.XDG_CONFIG_HOME || join(homeDir, ".config");
  return join(configHome, "slipway", "config.json");
}

/** Reads the config file; `null` when there is none. A damaged file is an error naming it. */
export async function loadConfig(path: string): Promise<LoadedConfig | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isErrno(error, "ENOENT")) {
      return null;
    }
    throw new CliError(`cannot read the config file ${path}: ${errnoMessage(error)}`, {
      hint: "check its permissions, or point SLIPWAY_CONFIG at another file",
      cause: error,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw damaged(path, "it is not valid JSON", error);
  }
  const result = cliConfigSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw damaged(
      path,
      `${issue?.path.join(".") || "content"}: ${issue?.message ?? "invalid"}`,
      result.error,
    );
  }
  const warnings: string[] = [];
  const mode = (await stat(path)).mode & 0o777;
  if (result.data.token !== undefined && (mode & 0o077) !== 0) {
    warnings.push(
      `the config file ${path} holds a token but others can read it (mode ${mode.toString(8)}); run \`chmod 600 ${path}\``,
    );
  }
  return { config: result.data, warnings };
}

/**
 * Writes the config file atomically with mode 0600 (its directory 0700 when this creates it), so the
 * token in it is readable by its owner only, and a crash never leaves half a file.
 */
export async function saveConfig(path: string, config: CliConfig): Promise<void> {
  const dir = dirname(path);
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) {
    // mkdir's mode is filtered by the umask; make sure the directory is private.
    await chmod(dir, 0o700);
  }
  const temporary = join(dir, `.config.json.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write the config file ${path}: ${errnoMessage(error)}`, {
      hint: "check the directory's permissions, or point SLIPWAY_CONFIG at another file",
      cause: error,
    });
  }
}

function damaged(path: string, problem: string, cause: unknown): CliError {
  return new CliError(`the config file ${path} is damaged: ${problem}`, {
    hint: `delete it and run \`slipway login\` again`,
    cause,
  });
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/** "EACCES: permission denied, open '/x'" becomes "permission denied (EACCES)": the path is already named. */
function errnoMessage(error: unknown): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const code = (error as NodeJS.ErrnoException).code;
  const text = error.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
  return code ? `${text} (${code})` : text;
}
