import { describe, expect, it } from "vitest";
import { parseCgroupMounts, parseProcessCgroups, planCgroupCandidates } from "./cgroup-paths.js";

// Captured from the machines this is built on: cgroup v1 controllers plus an empty v2 hierarchy.
const HYBRID_MOUNTINFO = `31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw`;
const HYBRID_CGROUP = `9:name=systemd:/
8:pids:/
4:memory:/process_api/a8de
2:cpuacct:/
1:cpu:/
0::/`;

// A typical systemd machine with only cgroup v2, and a container whose mount root is not "/".
const V2_MOUNTINFO = "29 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate";
const V2_CGROUP = "0::/system.slice/slipway.service";
const CONTAINER_MOUNTINFO =
  "500 490 0:30 /docker/abc /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory";

describe("cgroup paths", () => {
  it("finds the v1 memory, cpu and pids hierarchies and this process's own cgroups in them", () => {
    const mounts = parseCgroupMounts(HYBRID_MOUNTINFO);
    expect(mounts.map((mount) => [mount.version, mount.mountPoint, mount.controllers])).toEqual([
      [1, "/sys/fs/cgroup/cpu", ["cpu"]],
      [1, "/sys/fs/cgroup/cpuacct", ["cpuacct"]],
      [1, "/sys/fs/cgroup/memory", ["memory"]],
      [1, "/sys/fs/cgroup/pids", ["pids"]],
      [1, "/sys/fs/cgroup/systemd", []],
      [2, "/sys/fs/cgroup/unified", []],
    ]);
    expect(planCgroupCandidates(mounts, parseProcessCgroups(HYBRID_CGROUP))).toEqual({
      v2: { mountPoint: "/sys/fs/cgroup/unified", ownDir: "/sys/fs/cgroup/unified" },
      v1Memory: "/sys/fs/cgroup/memory/process_api/a8de",
      v1Cpu: "/sys/fs/cgroup/cpu",
      v1Pids: "/sys/fs/cgroup/pids",
    });
  });

  it("finds a pure v2 machine's own cgroup", () => {
    expect(planCgroupCandidates(parseCgroupMounts(V2_MOUNTINFO), parseProcessCgroups(V2_CGROUP))).toEqual({
      v2: { mountPoint: "/sys/fs/cgroup", ownDir: "/sys/fs/cgroup/system.slice/slipway.service" },
    });
  });

  it("maps paths through a mount whose root is a sub-hierarchy, and refuses paths outside it", () => {
    const mounts = parseCgroupMounts(CONTAINER_MOUNTINFO);
    expect(planCgroupCandidates(mounts, parseProcessCgroups("5:memory:/docker/abc/app"))).toEqual({
      v1Memory: "/sys/fs/cgroup/memory/app",
    });
    expect(planCgroupCandidates(mounts, parseProcessCgroups("5:memory:/elsewhere"))).toEqual({});
  });

  it("finds nothing without cgroup mounts", () => {
    expect(planCgroupCandidates(parseCgroupMounts(""), parseProcessCgroups(""))).toEqual({});
  });
});
