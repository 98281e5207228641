import { chmod, chown, lchown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { RunAs } from "../runtime/index.js";

/** Gives an unpacked source tree to the user that builds it. Links are changed, never followed. */
export async function giveTree(dir: string, user: RunAs): Promise<void> {
  await walk(dir, async (path, info) => {
    if (info.isSymbolicLink()) {
      await lchown(path, user.uid, user.gid);
    } else if (info.isFile() || info.isDirectory()) {
      // chown clears set-user-ID bits as it goes.
      await chown(path, user.uid, user.gid);
    }
  });
}

/**
 * Makes a built tree the platform's, readable by every environment's user and writable by none
 * (a release is shared by staging and production: neither may change what the other runs):
 * directories 0755, files 0644, or 0755 if executable, no set-user-ID or sticky bits. A file
 * with another hard link may be somebody else's file linked in by the build: it is left alone.
 */
export async function sealTree(dir: string): Promise<void> {
  await walk(dir, async (path, info) => {
    if (info.isSymbolicLink()) {
      await lchown(path, 0, 0);
    } else if (info.isDirectory()) {
      await chown(path, 0, 0);
      await chmod(path, 0o755);
    } else if (info.isFile() && Number(info.nlink) === 1) {
      await chown(path, 0, 0);
      await chmod(path, Number(info.mode) & 0o100 ? 0o755 : 0o644);
    }
  });
}

type Visit = (path: string, info: Awaited<ReturnType<typeof lstat>>) => Promise<void>;

/** Depth first, the directory itself first; symbolic links are visited, not entered. */
async function walk(path: string, visit: Visit): Promise<void> {
  const info = await lstat(path);
  await visit(path, info);
  if (info.isDirectory()) {
    for (const name of await readdir(path)) {
      await walk(join(path, name), visit);
    }
  }
}
