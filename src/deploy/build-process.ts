import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { isSameProcess, processStartTime, signalProcessTree } from "../runtime/index.js";

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
