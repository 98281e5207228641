import { cgroupPids, type ReplicaCgroups } from "../cgroups/replica-cgroup.js";
import {
  CLOCK_TICKS_PER_SECOND,
  isSameProcess,
  type ProcStat,
  processTree,
  readProcStat,
  readRssBytes,
} from "../proc/proc-stat.js";
import type { ReplicaStats } from "../runtime.js";
import type { PidRecord } from "./replica-state.js";

/** True while the replica's main process is the one that was started (not a reused pid). */
export function isMainAlive(run: PidRecord | undefined): boolean {
  return run !== undefined && isSameProcess(run.pid, run.processStartTime);
}

/** True while the replica's shim is alive: it will still record an exit. */
export function isShimAlive(run: PidRecord | undefined): boolean {
  return run !== undefined && isSameProcess(run.shimPid, run.shimStartTime);
}

/** Every live process of the replica: its tree and process group, plus its cgroups' members. */
export function replicaProcesses(run: PidRecord, cgroups: ReplicaCgroups): ProcStat[] {
  const found = new Map(processTree(run.pid).map((stat) => [stat.pid, stat]));
  for (const pid of cgroupPids(cgroups)) {
    const stat = found.has(pid) ? undefined : readProcStat(pid);
    if (stat !== undefined && stat.state !== "Z") {
      found.set(pid, stat);
    }
  }
  return [...found.values()];
}

/** Waits until none of the replica's processes is left (they were just SIGKILLed), or the timeout. */
export async function waitUntilGone(
  run: PidRecord,
  cgroups: ReplicaCgroups,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (replicaProcesses(run, cgroups).length > 0) {
    if (Date.now() > deadline) {
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/**
 * CPU and memory of a running replica, summed over its processes. A process's reaped children
 * count through its cutime/cstime, so short-lived helpers are not lost. RSS double-counts
 * pages shared between processes, like `ps` does.
 */
export function sampleReplicaStats(run: PidRecord, cgroups: ReplicaCgroups, now = Date.now()): ReplicaStats {
  let ticks = 0;
  let rssBytes = 0;
  for (const stat of replicaProcesses(run, cgroups)) {
    ticks += stat.utime + stat.stime + stat.cutime + stat.cstime;
    rssBytes += readRssBytes(stat.pid);
  }
  return {
    cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND,
    rssBytes,
    uptimeSeconds: Math.max(0, (now - Date.parse(run.startedAt)) / 1000),
  };
}
