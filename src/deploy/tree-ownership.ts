import {
  chmod,
  chown,
  copyFile,
  lchown,
  lstat,
  mkdir,
  readdir,
  readlink,
  rm,
  symlink,
} from "node:fs/promises";
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

/**
 * Makes a directory root's alone (0700), not following a link: once its user's processes are
 * gone, nothing else can change what is inside, so root may walk it by path.
 */
export async function lockAsRoot(dir: string): Promise<void> {
  const info = await lstat(dir).catch(() => undefined);
  if (info?.isDirectory()) {
    await chown(dir, 0, 0);
    await chmod(dir, 0o700);
  }
}

/**
 * Removes a directory a workload user had: locked first (see {@link lockAsRoot}), because a
 * recursive removal by path follows whatever a still-running process swaps in, as root.
 */
export async function removeAsRoot(dir: string): Promise<void> {
  await lockAsRoot(dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Copies a built tree into a new one of root's, sealed as {@link sealTree} leaves it: every file
 * a fresh inode, so a descriptor some process opened on the build's files (and kept, or passed
 * on) writes to nothing any replica runs. Links are copied as links; FIFOs, sockets and devices
 * are left out.
 */
export async function copySealed(from: string, to: string): Promise<void> {
  const info = await lstat(from);
  if (info.isDirectory()) {
    await mkdir(to, { mode: 0o755 });
    await chmod(to, 0o755);
    for (const name of await readdir(from)) {
      await copySealed(join(from, name), join(to, name));
    }
  } else if (info.isFile()) {
    await copyFile(from, to);
    // libuv's copy takes the source's owner (and mode) along: the copy is made root's here.
    await chown(to, 0, 0);
    await chmod(to, Number(info.mode) & 0o100 ? 0o755 : 0o644);
  } else if (info.isSymbolicLink()) {
    await symlink(await readlink(from), to);
  }
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
