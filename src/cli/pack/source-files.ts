import { lstat, readdir, readlink } from "node:fs/promises";
import { dirname, isAbsolute, join, normalize } from "node:path";
import { type DirectoryRules, isAlwaysSkipped, isIgnored, readDirectoryRules } from "./ignore-rules.js";

/** What {@link listSourceFiles} found in a working tree. */
export interface SourceFiles {
  /** Regular files and symbolic links to upload, relative to the root, `/`-separated, sorted. */
  paths: string[];
  /** Their total size in bytes (links count as nothing). */
  bytes: number;
  /** Links left out because they point outside the tree (an upload must not depend on this machine). */
  skippedLinks: string[];
}

/**
 * Lists what `slipway deploy` uploads from `root`: every file not ignored by a `.gitignore` or
 * `.slipwayignore` (in the root or any subdirectory), never `.git/`, and by default not
 * `node_modules/`. Symbolic links are kept as links, never followed; a link whose target
 * leaves the tree is skipped and reported. Sockets, FIFOs and devices are skipped silently.
 */
export async function listSourceFiles(root: string): Promise<SourceFiles> {
  const found: SourceFiles = { paths: [], bytes: 0, skippedLinks: [] };
  await walk(root, "", [], found);
  found.paths.sort();
  found.skippedLinks.sort();
  return found;
}

async function walk(root: string, dir: string, parents: DirectoryRules[], found: SourceFiles): Promise<void> {
  const own = await readDirectoryRules(root, dir);
  const stack = own ? [...parents, own] : parents;
  const entries = await readdir(join(root, dir), { withFileTypes: true });
  for (const entry of entries) {
    if (isAlwaysSkipped(entry.name)) {
      continue;
    }
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isIgnored(`${path}/`, stack)) {
        await walk(root, path, stack, found);
      }
    } else if (!isIgnored(path, stack)) {
      await addEntry(root, path, entry.isSymbolicLink(), found);
    }
  }
}

async function addEntry(root: string, path: string, isLink: boolean, found: SourceFiles): Promise<void> {
  if (isLink) {
    const target = await readlink(join(root, path));
    if (leavesTree(path, target)) {
      found.skippedLinks.push(path);
    } else {
      found.paths.push(path);
    }
    return;
  }
  const info = await lstat(join(root, path));
  if (info.isFile()) {
    found.paths.push(path);
    found.bytes += info.size;
  }
}

/** Whether a link at `path` (relative to the root) with `target` points outside the root. */
export function leavesTree(path: string, target: string): boolean {
  if (isAbsolute(target)) {
    return true;
  }
  const resolved = normalize(join(dirname(path), target));
  return resolved === ".." || resolved.startsWith("../");
}
