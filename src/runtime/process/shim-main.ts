import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { joinThenExecArgs } from "../cgroups/join-then-exec.js";
import {
  cgroupPids,
  cgroupProcsFiles,
  readMemoryCurrent,
  readOomState,
  removeReplicaCgroups,
} from "../cgroups/replica-cgroup.js";
import { LineSplitter } from "../logs/line-splitter.js";
import type { LogRecord } from "../logs/log-files.js";
import { RotatingLogWriter } from "../logs/rotating-log-writer.js";
import { processStartTime, processTree, readRssBytes } from "../proc/proc-stat.js";
import { signalProcessTree, terminateProcessTree } from "../proc/signal-tree.js";
import type { ReplicaExit } from "../runtime.js";
import { describeExit, type ObservedExit } from "./exit-record.js";
import { closeInheritedDescriptors } from "./inherited-descriptors.js";
import {
  type PidRecord,
  type ReplicaPaths,
  readStateFile,
  replicaPathsIn,
  type StopRecord,
  writeStateFile,
} from "./replica-state.js";
import type { ShimConfig } from "./shim-config.js";

/** How long to keep reading pipes still held open by an escaped process after the replica ended. */
const DRAIN_TIMEOUT_MS = 1000;

/**
 * The shim: a small supervisor per replica, like conmon or containerd-shim. It runs detached
 * from the platform, so the replica keeps running and logging through a platform crash:
 * - starts the command in its own session and process group, inside the replica's cgroups;
 * - owns the replica's stdout and stderr and writes them, line by line, to rotating files;
 * - enforces the memory limit (cgroup OOM counter or RSS watchdog, both every ~100 ms);
 * - when the main process ends, ends the rest of its processes, removes the cgroups,
 *   records the exit atomically in exit.json, and exits.
 */
export async function runShim(replicaStateDir: string): Promise<void> {
  const paths = replicaPathsIn(replicaStateDir);
  const config = await readConfig();
  // Only its stdio and its pipes reach the replica, not what the platform's parent held open.
  closeInheritedDescriptors();
  const writer = new RotatingLogWriter(config.logDir, config.logRotation);
  const oomBaseline = readOomState(config.cgroups).oomKills;
  const procsFiles = cgroupProcsFiles(config.cgroups);
  const child = spawn("/bin/sh", joinThenExecArgs(config.command, procsFiles, config.runAs), {
    cwd: config.cwd,
    env: config.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const exited = new Promise<ObservedExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal, at: new Date().toISOString() }));
    child.once("error", (error) =>
      resolve({
        code: 127,
        signal: null,
        at: new Date().toISOString(),
        message: `cannot start: ${error.message}`,
      }),
    );
  });
  const pid = child.pid;
  if (pid !== undefined) {
    writeStateFile(paths.pid, {
      shimPid: process.pid,
      shimStartTime: processStartTime(process.pid) ?? "",
      pid,
      processStartTime: processStartTime(pid) ?? "",
      startedAt: new Date().toISOString(),
    } satisfies PidRecord);
  }
  const drained = captureOutput(child, writer);
  const memory = pid === undefined ? undefined : guardMemory(config, pid, oomBaseline);
  // Signals meant for the shim go to the replica: the shim must outlive it to record the exit.
  process.on("SIGTERM", () => pid !== undefined && terminateProcessTree(pid, cgroupPids(config.cgroups)));
  process.on("SIGINT", () => {});
  process.on("SIGHUP", () => {});

  const observed = await exited;
  if (pid !== undefined) {
    await endLeftovers(pid, config, paths);
  }
  memory?.stop();
  await Promise.race([drained, sleep(DRAIN_TIMEOUT_MS)]);
  writer.close();
  const oom = memory?.finalOom();
  const exit = describeExit(oom === undefined ? observed : { ...observed, oom });
  await removeReplicaCgroups(config.cgroups);
  writeStateFile(paths.exit, exit satisfies ReplicaExit);
  process.exit(0);
}

async function readConfig(): Promise<ShimConfig> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8")) as ShimConfig;
}

/** Writes both streams to the log files; resolves when both pipes have closed. */
function captureOutput(child: ChildProcess, writer: RotatingLogWriter): Promise<void> {
  const streams = [
    ["stdout", child.stdout],
    ["stderr", child.stderr],
  ] as const;
  return Promise.all(
    streams.map(
      ([name, stream]) =>
        new Promise<void>((resolve) => {
          if (stream === null) {
            resolve();
            return;
          }
          const splitter = new LineSplitter();
          const write = (lines: ReturnType<LineSplitter["push"]>): void => {
            const at = new Date().toISOString();
            writer.write(
              lines.map(
                (piece): LogRecord => ({
                  at,
                  stream: name,
                  line: piece.line,
                  ...(piece.truncated ? { truncated: true } : {}),
                  ...(piece.continued ? { continued: true } : {}),
                }),
              ),
            );
          };
          stream.on("data", (chunk: Buffer) => write(splitter.push(chunk)));
          stream.once("close", () => {
            write(splitter.end());
            resolve();
          });
        }),
    ),
  ).then(() => undefined);
}

/**
 * Samples memory every watchdogIntervalMs. With a cgroup the kernel enforces the limit and the
 * shim watches its OOM-kill counter, then ends the whole replica (cgroup v1 kills only the
 * biggest process; v2 with memory.oom.group kills all). Without one, the shim sums the RSS of
 * the process tree and SIGKILLs it over the limit.
 */
function guardMemory(config: ShimConfig, pid: number, oomBaseline: number) {
  const limitBytes = config.memoryLimitBytes;
  let peakBytes = 0;
  let oom: NonNullable<ReplicaExit["oom"]> | undefined;
  const killed = (enforcedBy: NonNullable<ReplicaExit["oom"]>["enforcedBy"], peak: number): void => {
    if (limitBytes !== undefined && oom === undefined) {
      oom = { limitBytes, peakBytes: peak, enforcedBy };
      signalProcessTree(pid, "SIGKILL", cgroupPids(config.cgroups));
    }
  };
  const enforcement = config.memoryEnforcement;
  const sample = (): void => {
    if (enforcement === "cgroup-v1" || enforcement === "cgroup-v2") {
      const state = readOomState(config.cgroups);
      peakBytes = Math.max(peakBytes, state.peakBytes ?? readMemoryCurrent(config.cgroups) ?? 0);
      if (state.oomKills > oomBaseline) {
        killed(enforcement, peakBytes);
      }
    } else if (enforcement === "rss-watchdog" && limitBytes !== undefined) {
      const rss = processTree(pid).reduce((sum, stat) => sum + readRssBytes(stat.pid), 0);
      peakBytes = Math.max(peakBytes, rss);
      if (rss > limitBytes) {
        killed("rss-watchdog", peakBytes);
      }
    }
  };
  const timer = enforcement === "unlimited" ? undefined : setInterval(sample, config.watchdogIntervalMs);
  return {
    stop: (): void => clearInterval(timer),
    /** The OOM verdict after the end: the kernel may have killed between two samples. */
    finalOom: (): NonNullable<ReplicaExit["oom"]> | undefined => {
      if (enforcement === "cgroup-v1" || enforcement === "cgroup-v2") {
        sample();
      }
      return oom;
    },
  };
}

/**
 * The main process has ended; its children may not have. On a stop they got SIGTERM with it and
 * keep the stop's grace period; otherwise they get SIGTERM now and leftoverGraceMs. Then SIGKILL.
 */
async function endLeftovers(
  pid: number,
  config: ShimConfig,
  paths: Pick<ReplicaPaths, "stop">,
): Promise<void> {
  const members = (): number[] => [
    ...new Set([...processTree(pid).map((stat) => stat.pid), ...cgroupPids(config.cgroups)]),
  ];
  if (members().length === 0) {
    return;
  }
  const stop = readStateFile<StopRecord>(paths.stop);
  if (stop === undefined) {
    signalProcessTree(pid, "SIGTERM", cgroupPids(config.cgroups));
  }
  const deadline = stop?.deadline ?? Date.now() + config.leftoverGraceMs;
  let killedAt: number | undefined;
  while (members().length > 0) {
    if (killedAt === undefined && Date.now() >= deadline) {
      signalProcessTree(pid, "SIGKILL", cgroupPids(config.cgroups));
      killedAt = Date.now();
    }
    if (killedAt !== undefined && Date.now() - killedAt > 2000) {
      // Unkillable (uninterruptible sleep): record the exit anyway.
      return;
    }
    await sleep(25);
  }
}
