import { spawnSync } from "node:child_process";
import {
  accessSync,
  chmodSync,
  chownSync,
  constants,
  lstatSync,
  mkdirSync,
  rmdirSync,
  rmSync,
} from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { joinThenExecArgs } from "../cgroups/join-then-exec.js";
import type { RunAs } from "../runtime.js";
import { RuntimeError } from "../runtime-error.js";

let setprivPath: string | null | undefined;

/**
 * Where `setpriv` (util-linux) is: the shim's way to drop root after joining the cgroups. Looked
 * up once: command probes ask for it on every check.
 */
export function findSetpriv(): string | undefined {
  if (setprivPath === undefined) {
    setprivPath = null;
    for (const dir of [
      ...(process.env.PATH ?? "").split(delimiter),
      "/usr/bin",
      "/bin",
      "/usr/sbin",
      "/sbin",
    ]) {
      const candidate = join(dir, "setpriv");
      try {
        accessSync(candidate, constants.X_OK);
        setprivPath = candidate;
        break;
      } catch {
        // Not here.
      }
    }
  }
  return setprivPath ?? undefined;
}

/** Refuses a `runAs` the platform cannot honour, rather than running the replica as root. */
export function checkRunAs(runAs: RunAs, setpriv: string | undefined): string {
  if (process.getuid?.() !== 0) {
    throw new RuntimeError(
      "invalid-spec",
      `runAs uid ${runAs.uid} needs the platform to run as root; it runs as uid ${process.getuid?.()}`,
    );
  }
  if (setpriv === undefined) {
    throw new RuntimeError(
      "invalid-spec",
      "runAs needs setpriv (from util-linux) on the PATH to drop privileges: install util-linux",
    );
  }
  return setpriv;
}

/**
 * The replica's own writable directory (its HOME and TMPDIR), kept across its restarts like a
 * Kubernetes emptyDir. The directories above it are made traversable (0711), not listable, so
 * the user can reach its home without reading anything beside it.
 */
export function prepareReplicaHome(replicaStateDir: string, runAs: RunAs): string {
  const home = join(replicaStateDir, "home");
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chownSync(home, runAs.uid, runAs.gid);
  chmodSync(home, 0o700);
  for (let dir = replicaStateDir, depth = 0; depth < 3; dir = dirname(dir), depth++) {
    chmodSync(dir, 0o711);
  }
  return home;
}

/**
 * `/bin/sh -c command` as the given user, through setpriv: its uid and gid, no supplementary
 * groups, and no_new_privs, so no setuid binary leads back to root. Without a user, the shell
 * itself.
 */
export function shellAs(
  command: string,
  runAs: RunAs | undefined,
  setpriv: string | undefined,
): [string, string[]] {
  if (runAs === undefined || setpriv === undefined) {
    return ["/bin/sh", ["-c", command]];
  }
  return [
    setpriv,
    [
      `--reuid=${runAs.uid}`,
      `--regid=${runAs.gid}`,
      "--clear-groups",
      "--no-new-privs",
      "--",
      "/bin/sh",
      "-c",
      command,
    ],
  ];
}

/**
 * The same, inside cgroups first: the shell joins `procsFiles` as root, then becomes the user
 * (see {@link joinThenExecArgs}); without cgroups it is {@link shellAs}.
 */
export function shellInCgroupsAs(
  command: string,
  procsFiles: string[],
  runAs: RunAs | undefined,
  setpriv: string | undefined,
): [string, string[]] {
  if (procsFiles.length === 0) {
    return shellAs(command, runAs, setpriv);
  }
  const as = runAs === undefined || setpriv === undefined ? undefined : { ...runAs, setpriv };
  return ["/bin/sh", joinThenExecArgs(command, procsFiles, as)];
}

/**
 * Removes a replica's home when the replica is gone for good, as Kubernetes removes an emptyDir
 * with its pod. Its contents go as its own user: other replicas of the environment run as that
 * user too and may still reach in, so root must not walk it by path (a swapped-in link would
 * have root delete what it points to). The emptied directory itself is then root's to remove.
 */
export function removeReplicaHome(home: string): boolean {
  let owner: { uid: number; gid: number };
  try {
    const info = lstatSync(home);
    if (!info.isDirectory()) {
      rmSync(home, { force: true });
      return true;
    }
    owner = { uid: info.uid, gid: info.gid };
  } catch {
    return true;
  }
  const setpriv = findSetpriv();
  if (owner.uid !== 0 && setpriv !== undefined) {
    const [file, args] = shellAs('rm -rf -- "$0"/* "$0"/.[!.]* "$0"/..?*', owner, setpriv);
    spawnSync(file, [...args, home], { stdio: "ignore" });
  }
  try {
    rmdirSync(home);
    return true;
  } catch {
    // Refilled meanwhile, or not emptied: it stays, in a directory only root can list.
    return false;
  }
}
