import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import {
  findSetpriv,
  isSameProcess,
  processStartTime,
  type RunAs,
  shellAs,
  signalProcessTree,
} from "../runtime/index.js";

/** Where a running build's process is noted, beside its release's app dir. */
export function buildProcessFile(releaseDir: string): string {
  return `${releaseDir}/build.pid.json`;
}

/**
 * Notes a build's process (pid and start time) so that a platform that crashed during the build
 * can stop it on its next start: the build runs detached, and would otherwise run on, unseen.
 */
export function recordBuildProcess(file: string, pid: number): void {
  const startTime = processStartTime(pid);
  if (startTime !== undefined) {
    writeFileSync(file, JSON.stringify({ pid, startTime }), { mode: 0o600 });
  }
}

export function forgetBuildProcess(file: string): void {
  rmSync(file, { force: true });
}

/** Kills a noted build's whole process group if that very process still runs; a reused pid is left alone. */
export function stopRecordedBuild(file: string): void {
  try {
    const { pid, startTime } = JSON.parse(readFileSync(file, "utf8")) as { pid: number; startTime: string };
    if (isSameProcess(pid, startTime)) {
      signalProcessTree(pid, "SIGKILL");
    }
  } catch {
    // No note (the crash came before the command started), or an unreadable one: nothing to stop.
  }
  forgetBuildProcess(file);
}

/**
 * Ends every process of a workload user: what a build left running in the background (even one
 * that called setsid) could otherwise write to the release after it is sealed through a file it
 * opened before, or race the walk that gives the next build its tree; what a probe of an
 * environment left would outlive its last replica. The user is that build's or environment's
 * own, so nothing else runs as it.
 */
export function killUserProcesses(user: RunAs): void {
  const setpriv = findSetpriv();
  if (setpriv === undefined) {
    return;
  }
  for (let round = 0; round < 5 && processUids().includes(user.uid); round++) {
    // kill(-1) as that user reaches exactly its own processes (and not the shell that sends it).
    const [file, args] = shellAs("kill -KILL -1", user, setpriv);
    spawnSync(file, args, { stdio: "ignore" });
  }
}

/** The real uid of every running process. */
export function processUids(): number[] {
  const uids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (/^\d+$/.test(entry)) {
      try {
        const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
        if (uid !== undefined) {
          uids.push(Number(uid));
        }
      } catch {
        // Ended while we looked.
      }
    }
  }
  return uids;
}
