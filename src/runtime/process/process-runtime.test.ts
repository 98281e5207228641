import { spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LOG_ROTATION } from "../logs/log-files.js";
import { processStartTime } from "../proc/proc-stat.js";
import type { ReplicaHandle, ReplicaSpec } from "../runtime.js";
import { runtimeContract } from "../runtime-contract.case.js";
import {
  collect,
  copyApps,
  httpGet,
  isListening,
  shellQuote,
  specFor,
  waitFor,
  waitForHttp,
} from "../runtime-test-kit.case.js";
import { createProcessRuntime, ProcessRuntime, type ProcessRuntimeOptions } from "./process-runtime.js";
import { type PidRecord, readStateFile, replicaPaths } from "./replica-state.js";

const NODE = shellQuote(process.execPath);
const FAST = { exitPollIntervalMs: 50, leftoverGraceMs: 500 } satisfies Partial<ProcessRuntimeOptions>;

runtimeContract("process", () => {
  const made: ProcessRuntime[] = [];
  return {
    makeRuntime: (stateDir) => {
      const runtime = createProcessRuntime({ stateDir, ...FAST });
      made.push(runtime);
      return runtime;
    },
    node: NODE,
    cleanup: () => {
      for (const runtime of made) {
        runtime.removeEmptyCgroupParents();
      }
    },
  };
});

// Whether this machine lets us create cgroups: root with a writable v1 memory controller or a
// delegated v2 one. Detected, never assumed; the cgroup tests say why when they skip.
const probeDir = mkdtempSync(join(tmpdir(), "slipway-cgroup-probe-"));
const probe = new ProcessRuntime({ stateDir: probeDir });
const support = probe.cgroupSupport();
const cgroupSkipReason =
  support.memory === undefined ? `no writable memory cgroup: ${support.notes.join("; ")}` : "";
if (cgroupSkipReason !== "") {
  console.warn(`skipping cgroup tests of the process runtime (${cgroupSkipReason})`);
}
afterAll(async () => {
  await probe.close();
  probe.removeEmptyCgroupParents();
  rmSync(probeDir, { recursive: true, force: true });
});

describe("process runtime", () => {
  let workDir: string;
  let appDir: string;
  let runtimes: ProcessRuntime[];
  let started: Set<string>;

  const newRuntime = (options: Partial<ProcessRuntimeOptions> = {}): ProcessRuntime => {
    const runtime = new ProcessRuntime({ stateDir: join(workDir, "state"), ...FAST, ...options });
    runtimes.push(runtime);
    return runtime;
  };
  const spec = (overrides: Partial<ReplicaSpec> & { id: string }): ReplicaSpec => {
    started.add(overrides.id);
    return specFor(workDir, appDir, overrides);
  };

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), "slipway-process-runtime-"));
    appDir = copyApps(workDir);
    runtimes = [];
    started = new Set();
  });

  afterEach(async () => {
    const last = runtimes.at(-1);
    for (const id of started) {
      await last?.stop(id, { graceMs: 0 }).catch(() => undefined);
    }
    for (const runtime of runtimes) {
      await runtime.close();
      runtime.removeEmptyCgroupParents();
    }
    rmSync(workDir, { recursive: true, force: true });
  });

  describe.skipIf(cgroupSkipReason !== "")("with cgroups", () => {
    it("writes the memory limit and CPU quota into the replica's cgroups and removes them after the exit", async () => {
      const runtime = newRuntime();
      const handle = await runtime.start(
        spec({
          id: "limited",
          command: `${NODE} echo-server.cjs`,
          resources: { memoryBytes: 64 * 1024 * 1024, cpuCores: 0.5 },
        }),
      );
      const { cgroups } = readReplicaRecord(workDir, "limited");
      const memoryDir = cgroups.memory?.dir ?? "";
      expect(handle.limits.memory).toBe(support.memory?.version);
      if (support.memory?.version === "cgroup-v1") {
        expect(readFileSync(join(memoryDir, "memory.limit_in_bytes"), "utf8").trim()).toBe(
          String(64 * 1024 * 1024),
        );
      } else {
        expect(readFileSync(join(memoryDir, "memory.max"), "utf8").trim()).toBe(String(64 * 1024 * 1024));
      }
      if (support.cpu === undefined) {
        expect(handle.limits.cpu).toBe("unenforced");
      } else {
        const cpuDir = cgroups.cpu?.dir ?? "";
        const quota =
          support.cpu.version === "cgroup-v1"
            ? readFileSync(join(cpuDir, "cpu.cfs_quota_us"), "utf8").trim()
            : readFileSync(join(cpuDir, "cpu.max"), "utf8").trim().split(" ")[0];
        expect(quota).toBe("50000");
        expect(handle.limits.cpu).toBe(support.cpu.version);
      }
      // The replica's process joined the cgroup before it ran the command.
      await waitForHttp(handle.port);
      expect(readFileSync(join(memoryDir, "cgroup.procs"), "utf8").split("\n")).toContain(String(handle.pid));
      await runtime.stop("limited", { graceMs: 2000 });
      expect(existsSync(memoryDir)).toBe(false);
      expect(cgroups.cpu === undefined || !existsSync(cgroups.cpu.dir)).toBe(true);
    });

    it.skipIf(support.pids === undefined)(
      "caps a replica's processes through its pids cgroup, so a fork bomb stays its own",
      async () => {
        const runtime = newRuntime();
        await runtime.start(
          spec({
            id: "forker",
            command: "i=0; while [ $i -lt 20 ]; do sleep 30 & i=$((i+1)); done; echo all forked",
            resources: { maxProcesses: 8 },
          }),
        );
        const { cgroups } = readReplicaRecord(workDir, "forker");
        expect(readFileSync(join(cgroups.pids?.dir ?? "", "pids.max"), "utf8").trim()).toBe("8");
        const exit = await waitFor(async () => (await runtime.inspect("forker"))?.exit, 10_000, "the exit");
        const lines = (await collect(runtime.readLogs("forker"))).map((line) => line.line);
        // The shell could not fork its ninth process and gave up; it never got to the end.
        expect(lines.join("\n")).toMatch(/fork/i);
        expect(lines).not.toContain("all forked");
        expect(exit.code).not.toBe(0);
        await runtime.stop("forker", { graceMs: 200 });
        expect(existsSync(cgroups.pids?.dir ?? "")).toBe(false);
      },
    );

    it("OOM-kills through the cgroup and says the cgroup enforced it", async () => {
      const runtime = newRuntime();
      const limit = 64 * 1024 * 1024;
      await runtime.start(
        spec({ id: "leaky", command: `${NODE} allocate.cjs`, resources: { memoryBytes: limit } }),
      );
      const exit = await waitFor(async () => (await runtime.inspect("leaky"))?.exit, 20_000, "the OOM kill");
      expect(exit).toMatchObject({
        code: 137,
        signal: "SIGKILL",
        reason: "OOMKilled",
        oom: { limitBytes: limit, enforcedBy: support.memory?.version },
      });
      expect(exit.oom?.peakBytes).toBeGreaterThanOrEqual(limit * 0.9);
    });

    it("kills a grandchild that left the process group, through the cgroup", async () => {
      const runtime = newRuntime();
      const handle = await runtime.start(spec({ id: "escapee", command: `${NODE} spawn-detached.cjs` }));
      await waitForHttp(handle.port);
      await runtime.stop("escapee", { graceMs: 300 });
      await waitFor(async () => !(await isListening(handle.port)), 3000, "the escaped grandchild to die");
    });

    it("removes a stray cgroup of an unknown replica", async () => {
      const runtime = newRuntime();
      const parent = runtime.cgroupSupport().memory?.dir ?? "";
      mkdirSync(join(parent, "stray-replica"));
      expect(await runtime.cleanupOrphans(new Set())).toEqual(["stray-replica"]);
      expect(existsSync(join(parent, "stray-replica"))).toBe(false);
    });
  });

  it("enforces memory with the RSS watchdog when no cgroup is used, recorded the same way", async () => {
    const runtime = newRuntime({ cgroups: "off", watchdogIntervalMs: 50 });
    const limit = 64 * 1024 * 1024;
    const handle = await runtime.start(
      spec({
        id: "watched",
        command: `${NODE} allocate.cjs`,
        resources: { memoryBytes: limit, cpuCores: 1 },
      }),
    );
    expect(handle.limits).toEqual({ memory: "rss-watchdog", cpu: "unenforced" });
    const exit = await waitFor(
      async () => (await runtime.inspect("watched"))?.exit,
      20_000,
      "the watchdog kill",
    );
    expect(exit).toMatchObject({
      code: 137,
      signal: "SIGKILL",
      reason: "OOMKilled",
      oom: { limitBytes: limit, enforcedBy: "rss-watchdog" },
    });
    expect(exit.oom?.peakBytes).toBeGreaterThan(limit);
  });

  it("keeps replicas serving and logging through a kill -9 of the platform, then adopts them", async () => {
    const stateDir = join(workDir, "state");
    const replicaSpec = spec({ id: "survivor", command: `${NODE} echo-server.cjs` });
    const platformScript = fileURLToPath(new URL("../testdata/platform.ts", import.meta.url));
    const platform = spawn(process.execPath, [platformScript, stateDir, JSON.stringify(replicaSpec)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const handle = await new Promise<ReplicaHandle>((resolve, reject) => {
      let output = "";
      platform.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes("\n")) {
          resolve(JSON.parse(output));
        }
      });
      platform.once("exit", (code) => reject(new Error(`the platform exited early (${code})`)));
    });
    await waitForHttp(handle.port);
    const killed = new Promise((resolve) => platform.once("exit", resolve));
    platform.kill("SIGKILL");
    await killed;

    expect((await httpGet(handle.port, "/after-crash")).body).toBe("hello");
    const runtime = newRuntime();
    expect(await runtime.adopt({ ...handle, spec: replicaSpec })).toBe("adopted");
    await waitFor(
      async () => {
        const lines = await collect(runtime.readLogs("survivor", { grep: "after-crash" }));
        return lines.length === 1;
      },
      5000,
      "the request after the crash in the logs",
    );
    expect(await runtime.stop("survivor", { graceMs: 2000 })).toMatchObject({ code: 0, reason: "Completed" });
  });

  it("never adopts a pid that now belongs to another process", async () => {
    const runtime = newRuntime();
    const handle = await runtime.start(spec({ id: "original", command: `${NODE} echo-server.cjs` }));
    await waitForHttp(handle.port);
    const other = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const otherPid = other.pid ?? 0;
      // The other process under the replica's recorded start time: what a reused pid looks like.
      const reused = { ...handle, pid: otherPid };
      expect(await runtime.adopt({ ...reused, spec: spec({ id: "original" }) })).toBe("gone");
      expect(processStartTime(otherPid)).not.toBe(handle.processStartTime);
    } finally {
      other.kill("SIGKILL");
    }
  });

  it("ends a replica whose shim was killed and records why, so it can start again supervised", async () => {
    const runtime = newRuntime();
    const exits: string[] = [];
    runtime.onExit((id, exit) => exits.push(`${id}: ${exit.message ?? ""}`));
    const handle = await runtime.start(spec({ id: "orphaned", command: `${NODE} ignore-sigterm.cjs` }));
    await waitForHttp(handle.port);
    const run = readStateFile<PidRecord>(replicaPaths(join(workDir, "state"), "orphaned").pid);
    process.kill(run?.shimPid ?? 0, "SIGKILL");
    // Nothing reads its output or watches its memory any more: the runtime ends it on its own.
    await waitFor(() => exits.length > 0, 5000, "the exit");
    expect(exits).toEqual([
      "orphaned: its supervisor (shim) was killed, so the replica was stopped: nothing read its output or watched its memory",
    ]);
    expect(await isListening(handle.port)).toBe(false);
    const exit = await runtime.stop("orphaned", { graceMs: 200 });
    expect(exit).toMatchObject({ code: null, reason: "Error" });
  });

  it("gives a replica only its own environment, not the platform's", async () => {
    process.env.SLIPWAY_TEST_PLATFORM_SECRET = "must-not-leak";
    try {
      const runtime = newRuntime();
      await runtime.start(
        spec({
          id: "env",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell parameter expansions, not a template
          command: 'echo "secret=${SLIPWAY_TEST_PLATFORM_SECRET:-unset} mine=$MINE path=${PATH:+set}"',
          env: { MINE: "yes" },
        }),
      );
      await waitFor(async () => (await runtime.inspect("env"))?.exit, 5000, "the exit");
      const lines = await collect(runtime.readLogs("env"));
      expect(lines.map((line) => line.line)).toEqual(["secret=unset mine=yes path=set"]);
    } finally {
      delete process.env.SLIPWAY_TEST_PLATFORM_SECRET;
    }
  });

  it("runs a replica as its own user, with a private HOME, unable to read the platform's files", async () => {
    // The platform's data directory is traversable, not listable (0711), when it isolates replicas.
    chmodSync(workDir, 0o711);
    const secret = join(workDir, "secret.key");
    writeFileSync(secret, "platform-key", { mode: 0o600 });
    const runtime = newRuntime();
    await runtime.start(
      spec({
        id: "sandboxed",
        command: [
          "echo uid=$(id -u) gid=$(id -g) groups=$(id -G)",
          'echo home >"$HOME/probe" && echo "home=$(cat "$HOME/probe")"',
          `cat ${secret} >/dev/null 2>&1 && echo key=read || echo key=denied`,
          "touch ./written-by-replica 2>/dev/null && echo cwd=writable || echo cwd=read-only",
          "echo tmp=$TMPDIR",
        ].join("; "),
        runAs: { uid: 2_000_000_123, gid: 2_000_000_123 },
      }),
    );
    await waitFor(async () => (await runtime.inspect("sandboxed"))?.exit, 5000, "the exit");
    const lines = (await collect(runtime.readLogs("sandboxed"))).map((line) => line.line);
    const home = join(workDir, "state", "replicas", "sandboxed", "home");
    expect(lines).toEqual([
      "uid=2000000123 gid=2000000123 groups=2000000123",
      "home=home",
      "key=denied",
      "cwd=read-only",
      `tmp=${home}`,
    ]);
    expect(statSync(home)).toMatchObject({ uid: 2_000_000_123, mode: expect.any(Number) });
    expect(statSync(home).mode & 0o777).toBe(0o700);
    // Gone with the replica, as an emptyDir goes with its pod.
    await runtime.stop("sandboxed", { graceMs: 200 });
    expect(existsSync(home)).toBe(false);
  });

  it("survives a replica writing 50 MB/s: the platform stays responsive and rotation bounds the disk", async () => {
    const runtime = newRuntime();
    let maxLagMs = 0;
    let last = Date.now();
    const ticker = setInterval(() => {
      const now = Date.now();
      maxLagMs = Math.max(maxLagMs, now - last - 20);
      last = now;
    }, 20);
    try {
      await runtime.start(spec({ id: "flood", command: `${NODE} flood.cjs`, env: { FLOOD_SECONDS: "2" } }));
      await waitFor(async () => (await runtime.inspect("flood"))?.exit, 20_000, "the flood to end");
    } finally {
      clearInterval(ticker);
    }
    // A stall would last seconds (a full pipe); scheduling noise on a busy machine stays well under this.
    expect(maxLagMs).toBeLessThan(400);
    const logDir = join(workDir, "logs", "flood");
    const files = readdirSync(logDir).filter((name) => name.endsWith(".jsonl"));
    const bytes = files.reduce((sum, name) => sum + statSync(join(logDir, name)).size, 0);
    expect(files.length).toBeLessThanOrEqual(DEFAULT_LOG_ROTATION.maxFiles);
    expect(bytes).toBeLessThanOrEqual(DEFAULT_LOG_ROTATION.maxFiles * DEFAULT_LOG_ROTATION.maxFileBytes);
    const wrote = (await collect(runtime.readLogs("flood", { grep: "wrote" })))[0]?.line ?? "";
    const written = Number(/wrote (\d+) bytes/.exec(wrote)?.[1]);
    // More went through than the bound keeps: rotation, not luck, kept the disk use down.
    expect(written).toBeGreaterThan(DEFAULT_LOG_ROTATION.maxFiles * DEFAULT_LOG_ROTATION.maxFileBytes);
    expect((await collect(runtime.readLogs("flood", { limit: 3 }))).map((line) => line.stream)).toContain(
      "stderr",
    );
  });
});

function readReplicaRecord(workDir: string, id: string) {
  const record = readStateFile<{
    cgroups: { memory?: { dir: string }; cpu?: { dir: string }; pids?: { dir: string } };
  }>(replicaPaths(join(workDir, "state"), id).replica);
  if (record === undefined) {
    throw new Error(`no replica record for ${id}`);
  }
  return record;
}
