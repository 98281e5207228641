import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ignore, { type Ignore } from "ignore";

/**
 * Left out of every upload, before any .gitignore is read: the build on the server recreates
 * `node_modules` (and what is installed here may be built for another machine). A `!node_modules/`
 * line in `.slipwayignore` brings it back. `.git/` is never uploaded (see {@link isAlwaysSkipped}).
 */
export const DEFAULT_IGNORES = ["node_modules/"];

/** The ignore files read in every directory, in this order: later rules win. */
export const IGNORE_FILES = [".gitignore", ".slipwayignore"];

/** The rules of one directory: its ignore files, tested with paths relative to that directory. */
export interface DirectoryRules {
  /** The directory, relative to the packed root ("" for the root). */
  base: string;
  rules: Ignore;
}

/** Git's own data never travels, whatever the ignore files say. */
export function isAlwaysSkipped(name: string): boolean {
  return name === ".git";
}

/** Reads the ignore files of `dir` (plus the defaults at the root); undefined when there are none. */
export async function readDirectoryRules(root: string, base: string): Promise<DirectoryRules | undefined> {
  const rules = ignore();
  let found = base === "";
  if (base === "") {
    rules.add(DEFAULT_IGNORES);
  }
  for (const file of IGNORE_FILES) {
    const text = await readFile(join(root, base, file), "utf8").catch(() => undefined);
    if (text !== undefined) {
      rules.add(text);
      found = true;
    }
  }
  return found ? { base, rules } : undefined;
}

/**
 * Whether `path` (relative to the root, `/`-separated, ending in `/` for a directory) is ignored
 * under the rules of its directory and every parent: as in git, the deepest rule that matches
 * decides, so a nested `!keep.log` re-includes what a parent's `*.log` left out.
 */
export function isIgnored(path: string, stack: readonly DirectoryRules[]): boolean {
  let ignored = false;
  for (const { base, rules } of stack) {
    const relative = base === "" ? path : path.slice(base.length + 1);
    const result = rules.test(relative);
    if (result.ignored) {
      ignored = true;
    } else if (result.unignored) {
      ignored = false;
    }
  }
  return ignored;
}
