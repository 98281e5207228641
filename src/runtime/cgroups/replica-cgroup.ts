import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CgroupSupport, CgroupVersion } from "./cgroup-support.js";

/** The leaf cgroups of one replica; with v2, memory and cpu are the same directory. */
export interface ReplicaCgroups {
  memory?: { version: CgroupVersion; dir: string };
  cpu?: { version: CgroupVersion; dir: string };
  pids?: { version: CgroupVersion; dir: string };
}

/** The limits a replica asks for. */
export interface CgroupLimits {
  memoryBytes?: number;
  cpuCores?: number;
  /** Processes and threads the replica may have at once; default {@link DEFAULT_MAX_PROCESSES}. */
  maxProcesses?: number;
}

/**
 * Processes and threads per replica when none is asked for: a fork bomb in one replica then
 * exhausts its own allowance, not the machine's pid space shared by every tenant and the
 * platform. 4,096 is systemd's order of magnitude for a service (DefaultTasksMax is 15% of
 * pid_max, 4,915 on a default kernel) and far above what a web process needs.
 */
export const DEFAULT_MAX_PROCESSES = 4096;

/** What a memory cgroup says about out-of-memory kills and peak use. */
export interface OomState {
  /** Kills by the kernel's OOM killer since the cgroup was created (or since the counter read). */
  oomKills: number;
  /** Highest memory use recorded by the kernel, when it records one. */
  peakBytes?: number;
}

/** The CFS period the CPU quota is expressed in: Kubernetes' choice, 100 ms. */
export const CPU_PERIOD_MICROSECONDS = 100_000;

/**
 * Creates the cgroups of replica `id` under the parents found by detectCgroupSupport and
 * writes its limits. A memory cgroup is created even without a memory limit, so every process
 * of the replica can be found and killed; a cpu cgroup only when a CPU limit is asked for; a
 * pids cgroup always, capping its processes.
 * Throws when a directory or limit file cannot be written.
 */
export function createReplicaCgroups(
  support: CgroupSupport,
  id: string,
  limits: CgroupLimits,
): ReplicaCgroups {
  const cgroups: ReplicaCgroups = {};
  if (support.memory !== undefined) {
    const dir = join(support.memory.dir, id);
    mkdirSync(dir, { recursive: true });
    cgroups.memory = { version: support.memory.version, dir };
    writeMemoryLimit(cgroups.memory.version, dir, limits.memoryBytes);
  }
  if (support.cpu !== undefined && limits.cpuCores !== undefined) {
    const dir = join(support.cpu.dir, id);
    mkdirSync(dir, { recursive: true });
    cgroups.cpu = { version: support.cpu.version, dir };
    writeCpuQuota(cgroups.cpu.version, dir, limits.cpuCores);
  }
  if (support.pids !== undefined) {
    const dir = join(support.pids.dir, id);
    mkdirSync(dir, { recursive: true });
    cgroups.pids = { version: support.pids.version, dir };
    writeFileSync(join(dir, "pids.max"), String(limits.maxProcesses ?? DEFAULT_MAX_PROCESSES));
  }
  return cgroups;
}

function writeMemoryLimit(version: CgroupVersion, dir: string, bytes: number | undefined): void {
  if (version === "cgroup-v2") {
    writeFileSync(join(dir, "memory.max"), bytes === undefined ? "max" : String(bytes));
    // Without swap the limit is a hard wall, as it is for a Kubernetes pod.
    writeOptional(join(dir, "memory.swap.max"), bytes === undefined ? "max" : "0");
    // One OOM kill ends the whole replica, not just its biggest process.
    writeOptional(join(dir, "memory.oom.group"), "1");
    return;
  }
  writeFileSync(join(dir, "memory.limit_in_bytes"), bytes === undefined ? "-1" : String(bytes));
  // memsw (memory + swap) must be >= the memory limit; it only exists with swap accounting.
  writeOptional(join(dir, "memory.memsw.limit_in_bytes"), bytes === undefined ? "-1" : String(bytes));
  // A reused directory (same replica restarted) must not report the previous run's peak.
  writeOptional(join(dir, "memory.max_usage_in_bytes"), "0");
}

function writeCpuQuota(version: CgroupVersion, dir: string, cores: number): void {
  const quota = Math.max(1000, Math.round(cores * CPU_PERIOD_MICROSECONDS));
  if (version === "cgroup-v2") {
    writeFileSync(join(dir, "cpu.max"), `${quota} ${CPU_PERIOD_MICROSECONDS}`);
    return;
  }
  writeFileSync(join(dir, "cpu.cfs_period_us"), String(CPU_PERIOD_MICROSECONDS));
  writeFileSync(join(dir, "cpu.cfs_quota_us"), String(quota));
}

function writeOptional(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch {
    // Not every kernel has this file (no swap accounting, older kernel): the limit still holds.
  }
}

/** Each directory once: with v2, memory, cpu and pids are one. */
function replicaCgroupDirs(cgroups: ReplicaCgroups): string[] {
  const dirs = [cgroups.memory?.dir, cgroups.cpu?.dir, cgroups.pids?.dir];
  return [...new Set(dirs)].filter((dir) => dir !== undefined);
}

/** The `cgroup.procs` files a process writes its pid into to join the replica's cgroups. */
export function cgroupProcsFiles(cgroups: ReplicaCgroups): string[] {
  return replicaCgroupDirs(cgroups).map((dir) => join(dir, "cgroup.procs"));
}

/** The pids in the replica's cgroups right now. */
export function cgroupPids(cgroups: ReplicaCgroups): number[] {
  const pids = new Set<number>();
  for (const file of cgroupProcsFiles(cgroups)) {
    for (const pid of readNumbers(file)) {
      pids.add(pid);
    }
  }
  return [...pids];
}

/** Reads the OOM-kill counter and the peak memory of a replica's memory cgroup. */
export function readOomState(cgroups: ReplicaCgroups): OomState {
  const memory = cgroups.memory;
  if (memory === undefined) {
    return { oomKills: 0 };
  }
  if (memory.version === "cgroup-v2") {
    const peak = readNumbers(join(memory.dir, "memory.peak"))[0];
    return {
      oomKills: readKeyed(join(memory.dir, "memory.events"), "oom_kill"),
      ...(peak === undefined ? {} : { peakBytes: peak }),
    };
  }
  const peak = readNumbers(join(memory.dir, "memory.max_usage_in_bytes"))[0];
  return {
    oomKills: readKeyed(join(memory.dir, "memory.oom_control"), "oom_kill"),
    ...(peak === undefined ? {} : { peakBytes: peak }),
  };
}

/** Memory the cgroup uses right now (v1 usage_in_bytes, v2 memory.current). */
export function readMemoryCurrent(cgroups: ReplicaCgroups): number | undefined {
  const memory = cgroups.memory;
  if (memory === undefined) {
    return undefined;
  }
  const file = memory.version === "cgroup-v2" ? "memory.current" : "memory.usage_in_bytes";
  return readNumbers(join(memory.dir, file))[0];
}

/**
 * Removes the replica's cgroups: SIGKILLs anything still inside, then retries rmdir while the
 * kernel finishes tearing the processes down. Returns the directories it could not remove.
 */
export async function removeReplicaCgroups(cgroups: ReplicaCgroups, timeoutMs = 2000): Promise<string[]> {
  const dirs = replicaCgroupDirs(cgroups);
  const deadline = Date.now() + timeoutMs;
  const left: string[] = [];
  for (const dir of dirs) {
    if (!(await removeCgroupDir(dir, deadline))) {
      left.push(dir);
    }
  }
  return left;
}

/** Kills the members of one cgroup directory and removes it; true when it is gone. */
export async function removeCgroupDir(dir: string, deadline: number): Promise<boolean> {
  for (;;) {
    if (!existsSync(dir)) {
      return true;
    }
    for (const pid of readNumbers(join(dir, "cgroup.procs"))) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Exited in the meantime.
      }
    }
    try {
      rmdirSync(dir);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") {
        return true;
      }
      if (Date.now() > deadline) {
        return false;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Names of the replica cgroups under a parent directory. */
export function listReplicaCgroupNames(parentDir: string): string[] {
  try {
    return readdirSync(parentDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function readNumbers(file: string): number[] {
  try {
    return readFileSync(file, "utf8")
      .split(/\s+/)
      .filter((word) => /^\d+$/.test(word))
      .map(Number);
  } catch {
    return [];
  }
}

function readKeyed(file: string, key: string): number {
  try {
    const match = new RegExp(`^${key} (\\d+)$`, "m").exec(readFileSync(file, "utf8"));
    return match?.[1] === undefined ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
}
