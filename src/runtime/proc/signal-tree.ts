import { readlinkSync, realpathSync } from "node:fs";
import { processTree } from "./proc-stat.js";

/**
 * Sends `signal` to a replica's whole process group and to every other process of its tree
 * (a child that left the group with setsid), plus any extra pids (a cgroup's members).
 * Processes that are already gone are skipped silently. Returns how many were signalled.
 */
export function signalProcessTree(rootPid: number, signal: NodeJS.Signals, extraPids: number[] = []): number {
  let signalled = 0;
  // The group first: one syscall reaches every member at once, before any of them can fork.
  if (send(-rootPid, signal)) {
    signalled++;
  }
  for (const pid of otherMembers(rootPid, extraPids, true)) {
    if (send(pid, signal)) {
      signalled++;
    }
  }
  return signalled;
}

/**
 * Asks a replica to stop with SIGTERM. A replica's main process is `/bin/sh -c <command>`, and
 * Debian's dash does not exec the last command, so the shell often stays as a parent that
 * would die at once on SIGTERM with status 143 while the app is still shutting down. So while
 * the main process is still that shell and has children, the children get SIGTERM and the
 * shell is left to exit with their status, as tini and dumb-init do. Otherwise everything
 * gets SIGTERM.
 */
export function terminateProcessTree(rootPid: number, extraPids: number[] = []): void {
  const others = otherMembers(rootPid, extraPids, false);
  if (others.length > 0 && isShell(rootPid)) {
    for (const pid of others) {
      send(pid, "SIGTERM");
    }
    return;
  }
  signalProcessTree(rootPid, "SIGTERM", extraPids);
}

/** Live processes of the tree other than the root (all of them outside its group, if `outsideGroupOnly`). */
function otherMembers(rootPid: number, extraPids: number[], outsideGroupOnly: boolean): number[] {
  const pids = new Set<number>();
  for (const stat of processTree(rootPid)) {
    if (stat.pid !== rootPid && (!outsideGroupOnly || stat.pgrp !== rootPid)) {
      pids.add(stat.pid);
    }
  }
  for (const pid of extraPids) {
    if (pid !== rootPid) {
      pids.add(pid);
    }
  }
  pids.delete(process.pid);
  return [...pids];
}

let shellPath: string | undefined;

/** True when the process runs the system shell (`/bin/sh`, resolved: dash, bash, busybox …). */
function isShell(pid: number): boolean {
  try {
    shellPath ??= realpathSync("/bin/sh");
    return readlinkSync(`/proc/${pid}/exe`) === shellPath;
  } catch {
    return false;
  }
}

function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    // Gone already (ESRCH): nothing to do.
    return false;
  }
}
