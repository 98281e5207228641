import { readdirSync, readFileSync } from "node:fs";

/** The fields of `/proc/<pid>/stat` the runtime uses (see proc(5)). */
export interface ProcStat {
  pid: number;
  /** The executable name, without the parentheses. */
  comm: string;
  /** One letter: R, S, D, Z (zombie), T, … */
  state: string;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  session: number;
  /** CPU time in clock ticks: user, system, and of reaped children. */
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  /** Field 22: when the process started, in clock ticks since boot. */
  startTicks: number;
  /** Resident set size in pages. */
  rssPages: number;
}

/** Linux fixes USER_HZ at 100 for user space on every mainstream architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Parses the text of `/proc/<pid>/stat`. The command name sits in parentheses and may itself
 * contain spaces and parentheses, so the numeric fields are read after the LAST `)`.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) {
    return undefined;
  }
  const pid = Number(text.slice(0, open).trim());
  // rest[0] is field 3 (state), so field N is rest[N - 3].
  const rest = text
    .slice(close + 1)
    .trim()
    .split(" ");
  const field = (n: number): number => Number(rest[n - 3]);
  const stat: ProcStat = {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? "?",
    ppid: field(4),
    pgrp: field(5),
    session: field(6),
    utime: field(14),
    stime: field(15),
    cutime: field(16),
    cstime: field(17),
    startTicks: field(22),
    rssPages: field(24),
  };
  return Number.isInteger(pid) && Number.isFinite(stat.startTicks) ? stat : undefined;
}

/** Reads `/proc/<pid>/stat`; undefined when the process does not exist (any more). */
export function readProcStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return undefined;
  }
}

let cachedBootId: string | undefined;

/** The kernel's boot id: start ticks only identify a process within one boot. */
function bootId(): string {
  if (cachedBootId === undefined) {
    try {
      cachedBootId = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim().slice(0, 8);
    } catch {
      cachedBootId = "noboot";
    }
  }
  return cachedBootId;
}

/**
 * An opaque identity of a process's start: `<start ticks>@<boot id>`. A pid plus this string
 * names one process for ever, so a pid the kernel reused for another process never matches.
 * Zombies count as gone: they no longer run anything.
 */
export function processStartTime(pid: number): string | undefined {
  const stat = readProcStat(pid);
  if (stat === undefined || stat.state === "Z" || stat.state === "X") {
    return undefined;
  }
  return `${stat.startTicks}@${bootId()}`;
}

/** True when `pid` is alive and is the very process that started at `startTime`. */
export function isSameProcess(pid: number, startTime: string): boolean {
  return pid > 0 && processStartTime(pid) === startTime;
}

/** Every process visible in /proc (zombies included), read once. */
export function listProcesses(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (name.charCodeAt(0) >= 48 && name.charCodeAt(0) <= 57) {
      const stat = readProcStat(Number(name));
      if (stat !== undefined) {
        stats.push(stat);
      }
    }
  }
  return stats;
}

/**
 * The live processes of a replica: the members of its process group plus every descendant of
 * its main process (a child may have left the group with setsid). Zombies are left out.
 */
export function processTree(rootPid: number, processes: ProcStat[] = listProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const stat of processes) {
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(stat);
    children.set(stat.ppid, siblings);
  }
  const found = new Map<number, ProcStat>();
  const queue = processes.filter((stat) => stat.pid === rootPid || stat.pgrp === rootPid);
  while (queue.length > 0) {
    const stat = queue.pop();
    if (stat === undefined || found.has(stat.pid)) {
      continue;
    }
    found.set(stat.pid, stat);
    queue.push(...(children.get(stat.pid) ?? []));
  }
  return [...found.values()].filter((stat) => stat.state !== "Z" && stat.state !== "X");
}

/** Resident memory of one process in bytes, from VmRSS in `/proc/<pid>/status` (exact, in kB). */
export function readRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match?.[1] === undefined ? 0 : Number(match[1]) * 1024;
  } catch {
    return 0;
  }
}
