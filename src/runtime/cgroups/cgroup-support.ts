import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCgroupMounts, parseProcessCgroups, planCgroupCandidates } from "./cgroup-paths.js";

/** Which cgroup mechanism limits a resource. */
export type CgroupVersion = "cgroup-v1" | "cgroup-v2";

/** A writable parent directory under which replica cgroups are created. */
export interface CgroupParent {
  version: CgroupVersion;
  /** `<own cgroup>/slipway/<instance>`, already created. */
  dir: string;
}

/** What this machine offers for replica limits, found by {@link detectCgroupSupport}. */
export interface CgroupSupport {
  memory?: CgroupParent;
  cpu?: CgroupParent;
  /** Where a replica's count of processes and threads is capped (a fork bomb stays its own). */
  pids?: CgroupParent;
  /** Why a mechanism was not usable, for the platform's log (e.g. "cgroup v2: no memory controller"). */
  notes: string[];
}

/**
 * Detects, once per platform instance, where replica cgroups can live: a cgroup v2 hierarchy
 * with a writable, delegated memory controller first, else the cgroup v1 memory (and cpu)
 * controllers. It creates `<own cgroup>/slipway/<instance>` in each usable hierarchy; a
 * hierarchy where that fails (read-only, not root, no controller) is skipped with a note.
 */
export function detectCgroupSupport(instance: string): CgroupSupport {
  const notes: string[] = [];
  let candidates: ReturnType<typeof planCgroupCandidates>;
  try {
    candidates = planCgroupCandidates(
      parseCgroupMounts(readFileSync("/proc/self/mountinfo", "utf8")),
      parseProcessCgroups(readFileSync("/proc/self/cgroup", "utf8")),
    );
  } catch (error) {
    return { notes: [`no cgroups: cannot read /proc/self (${messageOf(error)})`] };
  }
  if (candidates.v2 !== undefined) {
    const v2 = prepareV2(candidates.v2.mountPoint, candidates.v2.ownDir, instance, notes);
    if (v2 !== undefined) {
      return {
        memory: v2.parent,
        ...(v2.cpu ? { cpu: v2.parent } : {}),
        ...(v2.pids ? { pids: v2.parent } : {}),
        notes,
      };
    }
  }
  const support: CgroupSupport = { notes };
  if (candidates.v1Memory !== undefined) {
    support.memory = prepareV1(candidates.v1Memory, instance, "memory.limit_in_bytes", notes);
  } else {
    notes.push("cgroup v1: no memory controller mounted");
  }
  if (candidates.v1Cpu !== undefined) {
    support.cpu = prepareV1(candidates.v1Cpu, instance, "cpu.cfs_quota_us", notes);
  } else {
    notes.push("cgroup v1: no cpu controller mounted");
  }
  if (candidates.v1Pids !== undefined) {
    support.pids = prepareV1(candidates.v1Pids, instance, "pids.max", notes);
  } else {
    notes.push("cgroup v1: no pids controller mounted");
  }
  return support;
}

function prepareV1(
  ownDir: string,
  instance: string,
  controlFile: string,
  notes: string[],
): CgroupParent | undefined {
  const dir = join(ownDir, "slipway", instance);
  try {
    mkdirSync(dir, { recursive: true });
    if (!existsSync(join(dir, controlFile))) {
      notes.push(`cgroup v1: ${dir} has no ${controlFile}`);
      return undefined;
    }
    return { version: "cgroup-v1", dir };
  } catch (error) {
    notes.push(`cgroup v1: cannot create ${dir} (${messageOf(error)})`);
    return undefined;
  }
}

/**
 * cgroup v2 allows controllers in a child only when the parent enables them in
 * `cgroup.subtree_control`, and (except at the root) only for a parent without processes of
 * its own: the "no internal processes" rule. So the platform's own cgroup must already
 * delegate `memory` to its children, or be the root.
 */
function prepareV2(
  mountPoint: string,
  ownDir: string,
  instance: string,
  notes: string[],
): { parent: CgroupParent; cpu: boolean; pids: boolean } | undefined {
  const available = readControllers(join(ownDir, "cgroup.controllers"));
  if (!available.includes("memory")) {
    notes.push(`cgroup v2: ${ownDir} has no memory controller`);
    return undefined;
  }
  const wanted = ["memory", ...["cpu", "pids"].filter((name) => available.includes(name))];
  try {
    enableControllers(ownDir, wanted, ownDir === mountPoint);
    let dir = join(ownDir, "slipway");
    for (const level of [dir, join(dir, instance)]) {
      mkdirSync(level, { recursive: true });
      enableControllers(level, wanted, true);
      dir = level;
    }
    return {
      parent: { version: "cgroup-v2", dir },
      cpu: wanted.includes("cpu"),
      pids: wanted.includes("pids"),
    };
  } catch (error) {
    notes.push(`cgroup v2: cannot delegate memory under ${ownDir} (${messageOf(error)})`);
    return undefined;
  }
}

function enableControllers(dir: string, controllers: string[], mayWrite: boolean): void {
  const enabled = readControllers(join(dir, "cgroup.subtree_control"));
  const missing = controllers.filter((name) => !enabled.includes(name));
  if (missing.length === 0) {
    return;
  }
  if (!mayWrite) {
    throw new Error(`${dir} does not delegate ${missing.join(", ")} and holds processes of its own`);
  }
  writeFileSync(join(dir, "cgroup.subtree_control"), missing.map((name) => `+${name}`).join(" "));
}

function readControllers(file: string): string[] {
  try {
    return readFileSync(file, "utf8").trim().split(/\s+/);
  } catch {
    return [];
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
