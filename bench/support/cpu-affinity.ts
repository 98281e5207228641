import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

const taskset = "/usr/bin/taskset";

/** Whether processes can be pinned to CPUs here: taskset (util-linux) and at least two CPUs. */
export function canPinCpus(): boolean {
  return existsSync(taskset) && cpus().length >= 2;
}

/** The process and its descendants, read from /proc (nginx's master and its workers). */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${task}/children`, "utf8").trim();
    for (const child of children === "" ? [] : children.split(/\s+/)) {
      tree.push(...processTree(Number(child)));
    }
  }
  return tree;
}

/**
 * Pins every thread of a process and of its descendants to `cpuList` (`"1"`, `"0-1"`), as
 * `taskset -a -p` does. Throws when taskset refuses.
 */
export function pinProcessTree(pid: number, cpuList: string): void {
  for (const member of processTree(pid)) {
    const run = spawnSync(taskset, ["-a", "-p", "-c", cpuList, String(member)], { encoding: "utf8" });
    if (run.status !== 0) {
      throw new Error(`taskset could not pin ${member} to CPU ${cpuList}: ${run.stderr.trim()}`);
    }
  }
}

/** A command line that runs `command` on `cpuList` only. */
export function onCpus(cpuList: string, command: string, args: string[]): [string, string[]] {
  return [taskset, ["-c", cpuList, command, ...args]];
}
