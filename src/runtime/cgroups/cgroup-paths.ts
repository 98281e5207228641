import { posix } from "node:path";

/** One line of `/proc/self/mountinfo` that mounts a cgroup hierarchy. */
export interface CgroupMount {
  version: 1 | 2;
  /** Where it is mounted, e.g. `/sys/fs/cgroup/memory`. */
  mountPoint: string;
  /** The hierarchy path shown at the mount point (not `/` inside some containers). */
  root: string;
  /** v1: the controllers of this hierarchy (`memory`, `cpu`, `cpuacct`, …); v2: empty. */
  controllers: string[];
}

/** One line of `/proc/self/cgroup`: which cgroup of a hierarchy this process is in. */
export interface ProcessCgroup {
  /** v1 controllers of the hierarchy; empty for the v2 line (`0::/path`). */
  controllers: string[];
  path: string;
}

/** Where this process sits in each hierarchy the runtime can use, as directories. */
export interface CgroupCandidates {
  /** The v2 hierarchy: its mount point and this process's own cgroup directory. */
  v2?: { mountPoint: string; ownDir: string };
  /** This process's own cgroup directory in the v1 memory hierarchy. */
  v1Memory?: string;
  /** This process's own cgroup directory in the v1 cpu hierarchy. */
  v1Cpu?: string;
  /** This process's own cgroup directory in the v1 pids hierarchy. */
  v1Pids?: string;
}

/** Parses `/proc/self/mountinfo`, keeping the cgroup and cgroup2 mounts (see proc(5)). */
export function parseCgroupMounts(mountInfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountInfo.split("\n")) {
    const [before, after] = line.split(" - ");
    if (before === undefined || after === undefined) {
      continue;
    }
    const fields = before.split(" ");
    const [fsType, , superOptions = ""] = after.split(" ");
    const root = unescapeMountPath(fields[3] ?? "/");
    const mountPoint = unescapeMountPath(fields[4] ?? "");
    if (fsType === "cgroup2") {
      mounts.push({ version: 2, mountPoint, root, controllers: [] });
    } else if (fsType === "cgroup") {
      const controllers = superOptions.split(",").filter((option) => !/^(rw|ro|name=.*|.*=.*)$/.test(option));
      mounts.push({ version: 1, mountPoint, root, controllers });
    }
  }
  return mounts;
}

/** Parses `/proc/self/cgroup` (`hierarchy-id:controllers:path` per line). */
export function parseProcessCgroups(procCgroup: string): ProcessCgroup[] {
  const entries: ProcessCgroup[] = [];
  for (const line of procCgroup.split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (match?.[2] !== undefined) {
      const controllers = (match[1] ?? "")
        .split(",")
        .filter((name) => name !== "" && !name.startsWith("name="));
      entries.push({ controllers, path: match[2] });
    }
  }
  return entries;
}

/**
 * Works out, as data, the directories of this process's own cgroups in the hierarchies that
 * can limit memory, CPU or the number of processes. Slipway nests its cgroups under the one it
 * was started in, the way a delegated service must, so any limit placed on the platform also
 * bounds its replicas.
 */
export function planCgroupCandidates(mounts: CgroupMount[], cgroups: ProcessCgroup[]): CgroupCandidates {
  const candidates: CgroupCandidates = {};
  const v2Mount = mounts.find((mount) => mount.version === 2);
  const v2Entry = cgroups.find((entry) => entry.controllers.length === 0 && entry.path.startsWith("/"));
  if (v2Mount !== undefined && v2Entry !== undefined) {
    const ownDir = ownDirectory(v2Mount, v2Entry.path);
    if (ownDir !== undefined) {
      candidates.v2 = { mountPoint: v2Mount.mountPoint, ownDir };
    }
  }
  const keys = { memory: "v1Memory", cpu: "v1Cpu", pids: "v1Pids" } as const;
  for (const controller of ["memory", "cpu", "pids"] as const) {
    const mount = mounts.find((entry) => entry.version === 1 && entry.controllers.includes(controller));
    const entry = cgroups.find((line) => line.controllers.includes(controller));
    const ownDir = mount !== undefined && entry !== undefined ? ownDirectory(mount, entry.path) : undefined;
    if (ownDir !== undefined) {
      candidates[keys[controller]] = ownDir;
    }
  }
  return candidates;
}

/** Maps a hierarchy path to a directory under the mount point, if the mount shows it. */
function ownDirectory(mount: CgroupMount, path: string): string | undefined {
  const root = mount.root === "/" ? "" : mount.root;
  if (root !== "" && path !== root && !path.startsWith(`${root}/`)) {
    return undefined;
  }
  const relative = path.slice(root.length).replace(/^\/+|\/+$/g, "");
  return relative === "" ? mount.mountPoint : posix.join(mount.mountPoint, relative);
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
function unescapeMountPath(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}
