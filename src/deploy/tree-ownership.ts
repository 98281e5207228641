import { chmod, chown, lchown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { RunAs } from "../runtime/index.js";

/**
 * Gives an unpacked source tree to the user that builds it. Links are changed, never followed.
 * Bottom up: a directory becomes the user's only once everything in it is, so even a process of
 * that user (there should be none: see {@link killUserProcesses}) cannot swap an entry for a
 * link while the walk is inside.
 */
export async function giveTree(dir: string, user: RunAs): Promise<void> {
  await walk(dir, "children-first", async (path, info) => {
    if (info.isDirectory() || info.isFile()) {
      // chown clears set-user-ID bits as it goes.
      await chown(path, user.uid, user.gid);
    } else {
      await lchown(path, user.uid, user.gid);
    }
  });
}

/**
 * Makes a built tree the platform's, readable by every environment's user and writable by none
 * (a release is shared by staging and production: neither may change what the other runs):
 * everything root's, directories 0755, files 0644, or 0755 if executable, and no set-user-ID,
 * set-group-ID or sticky bit anywhere (an upload's setuid binary would be a way to root).
 * Top down: each directory is root's before its entries are looked at. Files with other hard
 * links are sealed too: with fs.protected_hardlinks a build can only link files of its own.
 */
export async function sealTree(dir: string): Promise<void> {
  await walk(dir, "parent-first", async (path, info) => {
    if (info.isDirectory()) {
      await chown(path, 0, 0);
      await chmod(path, 0o755);
    } else if (info.isFile()) {
      await chown(path, 0, 0);
      await chmod(path, Number(info.mode) & 0o100 ? 0o755 : 0o644);
    } else {
      // Links, FIFOs, sockets: root's, so their builder keeps no hold on them.
      await lchown(path, 0, 0);
    }
  });
}

type Visit = (path: string, info: Awaited<ReturnType<typeof lstat>>) => Promise<void>;

/** Symbolic links are visited, never entered. */
async function walk(path: string, order: "parent-first" | "children-first", visit: Visit): Promise<void> {
  const info = await lstat(path);
  if (order === "parent-first") {
    await visit(path, info);
  }
  if (info.isDirectory()) {
    for (const name of await readdir(path)) {
      await walk(join(path, name), order, visit);
    }
  }
  if (order === "children-first") {
    await visit(path, info);
  }
}
