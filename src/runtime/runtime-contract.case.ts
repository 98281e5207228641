/**
 * The contract every runtime driver passes (process now; docker and kubernetes later), in the
 * manner of Hono's common.case.test.ts: a driver's test file calls
 * `runtimeContract("process", () => fixture)` and gets the whole suite, run against real
 * processes. Excluded from the build like every *.case.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LogLine, ReplicaExit, ReplicaSpec, Runtime } from "./runtime.js";
import { RuntimeError } from "./runtime-error.js";
import {
  collect,
  copyApps,
  httpGet,
  isListening,
  specFor,
  waitFor,
  waitForHttp,
} from "./runtime-test-kit.case.js";

/** What a driver's test gives the contract. */
export interface RuntimeContractFixture {
  /**
   * A new driver instance over the same state. Calling it again is a platform restart: the new
   * instance must find the replicas the previous one started.
   */
  makeRuntime(stateDir: string): Runtime;
  /** How to run Node.js inside this runtime, as shell words (e.g. a quoted absolute path). */
  node: string;
  /** Called after each test once its replicas are stopped and its runtimes closed. */
  cleanup?(): void | Promise<void>;
}

/**
 * Registers the runtime contract suite for one driver.
 *
 * @example
 * runtimeContract("process", () => ({ makeRuntime: (dir) => createProcessRuntime({ stateDir: dir }), node: shellQuote(process.execPath) }));
 */
export function runtimeContract(name: string, createFixture: () => RuntimeContractFixture): void {
  describe(`runtime contract: ${name}`, () => {
    let fixture: RuntimeContractFixture;
    let workDir: string;
    let appDir: string;
    let runtimes: Runtime[];
    let started: Set<string>;

    /** A driver instance; the test's replicas are stopped through the last one made. */
    const newRuntime = (): Runtime => {
      const runtime = fixture.makeRuntime(join(workDir, "state"));
      runtimes.push(runtime);
      return runtime;
    };
    const spec = (overrides: Partial<ReplicaSpec> & { id: string }): ReplicaSpec => {
      started.add(overrides.id);
      return specFor(workDir, appDir, overrides);
    };
    const app = (file: string): string => `${fixture.node} ${file}`;

    beforeEach(() => {
      fixture = createFixture();
      workDir = mkdtempSync(join(tmpdir(), `slipway-runtime-${name}-`));
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
      }
      await fixture.cleanup?.();
      rmSync(workDir, { recursive: true, force: true });
    });

    it("starts a replica with PORT, its env and its working directory, serving on 127.0.0.1", async () => {
      const runtime = newRuntime();
      const handle = await runtime.start(
        spec({ id: "web-1", command: app("echo-server.cjs"), env: { GREETING: "hi there" } }),
      );
      expect(handle).toMatchObject({ id: "web-1" });
      expect(handle.pid).toBeGreaterThan(0);
      expect(handle.port).toBeGreaterThan(0);
      expect(handle.processStartTime).not.toBe("");
      const { body } = await waitForHttp(handle.port, "/env");
      expect(JSON.parse(body)).toMatchObject({
        port: String(handle.port),
        greeting: "hi there",
        cwd: appDir,
      });
      expect(await runtime.inspect("web-1")).toMatchObject({ running: true, handle: { pid: handle.pid } });
    });

    it("uses the fixed port a spec asks for", async () => {
      const runtime = newRuntime();
      const probe = await runtime.start(spec({ id: "probe", command: app("echo-server.cjs") }));
      await waitForHttp(probe.port);
      await runtime.stop("probe", { graceMs: 2000 });
      // The port just freed is free for the fixed-port replica.
      const handle = await runtime.start(
        spec({ id: "fixed", command: app("echo-server.cjs"), port: probe.port }),
      );
      expect(handle.port).toBe(probe.port);
      expect(JSON.parse((await waitForHttp(probe.port, "/env")).body).port).toBe(String(probe.port));
    });

    it("captures stdout and stderr line by line with stream, timestamp, replica and release", async () => {
      const runtime = newRuntime();
      const before = new Date();
      const handle = await runtime.start(
        spec({ id: "logs-1", release: "r7", command: app("echo-server.cjs") }),
      );
      await waitForHttp(handle.port, "/first");
      await httpGet(handle.port, "/second");
      const lines = await waitFor(async () => {
        const all = await collect(runtime.readLogs("logs-1"));
        return all.some((line) => line.line === "request /second") ? all : undefined;
      });
      expect(lines).toContainEqual(expect.objectContaining({ stream: "stderr", line: "starting (stderr)" }));
      expect(lines).toContainEqual(
        expect.objectContaining({
          stream: "stdout",
          line: `listening on ${handle.port}`,
          replica: "logs-1",
          release: "r7",
        }),
      );
      for (const line of lines) {
        expect(Date.parse(line.at)).toBeGreaterThanOrEqual(before.getTime() - 5);
      }
      const requests = await collect(runtime.readLogs("logs-1", { grep: "request /" }));
      expect(requests.map((line) => line.line)).toEqual(["request /first", "request /second"]);
      expect((await collect(runtime.readLogs("logs-1", { limit: 1 }))).map((line) => line.line)).toEqual([
        "request /second",
      ]);
      expect(await collect(runtime.readLogs("logs-1", { since: new Date(Date.now() + 60_000) }))).toEqual([]);
    });

    it("follows logs as they are written and ends the follow when the replica exits", async () => {
      const runtime = newRuntime();
      const handle = await runtime.start(spec({ id: "follow-1", command: app("echo-server.cjs") }));
      await waitForHttp(handle.port, "/before");
      const seen: LogLine[] = [];
      const following = (async () => {
        for await (const line of runtime.followLogs("follow-1", { grep: "request" })) {
          seen.push(line);
        }
      })();
      await httpGet(handle.port, "/during");
      await waitFor(() => seen.some((line) => line.line === "request /during"), 5000, "the followed line");
      await runtime.stop("follow-1", { graceMs: 2000 });
      await following;
      expect(seen.map((line) => line.line)).toEqual(["request /before", "request /during"]);
    });

    it("stops a replica with SIGTERM first, so a graceful app exits with its own code", async () => {
      const runtime = newRuntime();
      const handle = await runtime.start(spec({ id: "graceful", command: app("echo-server.cjs") }));
      await waitForHttp(handle.port);
      const exit = await runtime.stop("graceful", { graceMs: 5000 });
      expect(exit).toMatchObject({ code: 0, reason: "Completed" });
      const lines = await collect(runtime.readLogs("graceful"));
      expect(lines.map((line) => line.line)).toContain("got SIGTERM, closing");
    });

    it("SIGKILLs a replica that ignores SIGTERM once the grace period is over", async () => {
      const runtime = newRuntime();
      const handle = await runtime.start(spec({ id: "stubborn", command: app("ignore-sigterm.cjs") }));
      await waitForHttp(handle.port);
      const stopping = Date.now();
      const exit = await runtime.stop("stubborn", { graceMs: 600 });
      expect(Date.now() - stopping).toBeGreaterThanOrEqual(550);
      expect(exit).toMatchObject({ code: 137, signal: "SIGKILL", reason: "Error" });
      expect(await isListening(handle.port)).toBe(false);
      const lines = await collect(runtime.readLogs("stubborn"));
      expect(lines.map((line) => line.line)).toContain("ignoring SIGTERM");
    });

    it("stops every process of the replica, grandchildren included", async () => {
      const runtime = newRuntime();
      // The shell is the main process; the server is its child and ignores SIGTERM.
      const handle = await runtime.start(
        spec({ id: "family", command: `${app("ignore-sigterm.cjs")} & echo "child started"; wait` }),
      );
      await waitForHttp(handle.port);
      await runtime.stop("family", { graceMs: 500 });
      expect(await isListening(handle.port)).toBe(false);
    });

    it("records how a replica ended: exit codes, inspect after the exit, and onExit", async () => {
      const runtime = newRuntime();
      const exits: Array<[string, ReplicaExit]> = [];
      runtime.onExit((id, exit) => exits.push([id, exit]));
      await runtime.start(spec({ id: "ok", command: "echo fine" }));
      await runtime.start(spec({ id: "fails", command: "echo broken >&2; exit 3" }));
      await waitFor(() => exits.length === 2, 10_000, "two exits");
      const byId = new Map(exits);
      expect(byId.get("ok")).toMatchObject({ code: 0, signal: null, reason: "Completed" });
      expect(byId.get("fails")).toMatchObject({ code: 3, signal: null, reason: "Error" });
      expect(await runtime.inspect("fails")).toMatchObject({
        running: false,
        exit: { code: 3, reason: "Error" },
      });
      expect((await collect(runtime.readLogs("fails"))).map((line) => [line.stream, line.line])).toEqual([
        ["stderr", "broken"],
      ]);
      expect(await runtime.stats("fails")).toBeUndefined();
      expect(await runtime.inspect("never-started")).toBeUndefined();
      // Stopping an ended replica just returns its exit.
      expect(await runtime.stop("fails", { graceMs: 100 })).toMatchObject({ code: 3 });
      expect(exits.filter(([id]) => id === "fails")).toHaveLength(1);
    });

    it("refuses a second start while the replica runs, and starts it again after it ended", async () => {
      const runtime = newRuntime();
      const exits: string[] = [];
      runtime.onExit((id) => exits.push(id));
      const first = await runtime.start(spec({ id: "again", command: app("echo-server.cjs") }));
      await waitForHttp(first.port);
      await expect(
        runtime.start(spec({ id: "again", command: app("echo-server.cjs") })),
      ).rejects.toMatchObject({
        code: "already-running",
      });
      await runtime.stop("again", { graceMs: 2000 });
      const second = await runtime.start(spec({ id: "again", command: app("echo-server.cjs") }));
      expect(second.pid).not.toBe(first.pid);
      await waitForHttp(second.port);
      expect(exits).toEqual(["again"]);
      // Logs of both runs read as one history.
      await waitFor(
        async () => (await collect(runtime.readLogs("again", { grep: "listening" }))).length === 2,
        5000,
        "both runs' lines in the logs",
      );
    });

    it("rejects a spec it cannot run with an error naming the field", async () => {
      const runtime = newRuntime();
      const error = await runtime
        .start(spec({ id: "bad", cwd: join(workDir, "missing"), command: "true" }))
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(RuntimeError);
      expect(error).toMatchObject({ code: "invalid-spec" });
      expect(String(error)).toContain("cwd");
      await expect(runtime.start(spec({ id: "../escape", command: "true" }))).rejects.toMatchObject({
        code: "invalid-spec",
      });
      await expect(
        runtime.start(spec({ id: "few", command: "true", resources: { maxProcesses: 0.5 } })),
      ).rejects.toThrow(/resources\.maxProcesses 0\.5 must be a whole number of processes, at least 2/);
    });

    it("reports CPU seconds, RSS and uptime of a running replica", async () => {
      const runtime = newRuntime();
      const handle = await runtime.start(spec({ id: "busy", command: app("echo-server.cjs") }));
      await waitForHttp(handle.port);
      const stats = await runtime.stats("busy");
      expect(stats?.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(stats?.cpuSeconds).toBeGreaterThan(0);
      expect(stats?.uptimeSeconds).toBeGreaterThan(0);
      expect(stats?.uptimeSeconds).toBeLessThan(30);
    });

    it("adopts a running replica after a platform restart, and never a process that is not it", async () => {
      const before = newRuntime();
      const handle = await before.start(spec({ id: "survivor", command: app("echo-server.cjs") }));
      await waitForHttp(handle.port);
      await before.close();

      const after = newRuntime();
      const exits: string[] = [];
      after.onExit((id) => exits.push(id));
      const wrongStart = { ...handle, processStartTime: `1${handle.processStartTime}` };
      expect(await after.adopt({ ...wrongStart, spec: spec({ id: "survivor" }) })).toBe("gone");
      expect(await after.adopt({ ...handle, spec: spec({ id: "survivor" }) })).toBe("adopted");
      expect((await httpGet(handle.port)).body).toBe("hello");
      expect(await after.inspect("survivor")).toMatchObject({ running: true });
      await after.stop("survivor", { graceMs: 2000 });
      await waitFor(() => exits.includes("survivor"), 5000, "the adopted replica's exit");
      expect(await after.adopt({ ...handle, spec: spec({ id: "survivor" }) })).toBe("gone");
    });

    it("kills a replica over its memory limit and records OOMKilled with code 137, limit and peak", async () => {
      const runtime = newRuntime();
      const limit = 64 * 1024 * 1024;
      await runtime.start(
        spec({
          id: "leaky",
          command: app("allocate.cjs"),
          resources: { memoryBytes: limit },
          env: { STEP_MIB: "4" },
        }),
      );
      const exit = await waitFor(async () => (await runtime.inspect("leaky"))?.exit, 20_000, "the OOM kill");
      expect(exit).toMatchObject({ code: 137, reason: "OOMKilled", oom: { limitBytes: limit } });
      expect(exit.oom?.peakBytes).toBeGreaterThanOrEqual(limit * 0.9);
    });

    it("removes the replicas nobody knows about, and keeps the ones it is told about", async () => {
      const runtime = newRuntime();
      const orphan = await runtime.start(spec({ id: "orphan", command: app("echo-server.cjs") }));
      const kept = await runtime.start(spec({ id: "kept", command: app("echo-server.cjs") }));
      await waitForHttp(orphan.port);
      await waitForHttp(kept.port);
      const restarted = newRuntime();
      expect(await restarted.cleanupOrphans(new Set(["kept"]))).toEqual(["orphan"]);
      await waitFor(async () => !(await isListening(orphan.port)), 5000, "the orphan to stop listening");
      expect(await restarted.inspect("orphan")).toBeUndefined();
      expect((await httpGet(kept.port)).body).toBe("hello");
    });

    it("stores a 1 MB line in 64 KiB pieces marked truncated, and binary garbage as U+FFFD", async () => {
      const runtime = newRuntime();
      await runtime.start(spec({ id: "odd", command: app("odd-output.cjs") }));
      await waitFor(async () => (await runtime.inspect("odd"))?.exit, 10_000, "the exit");
      const lines = await collect(runtime.readLogs("odd"));
      const pieces = lines.filter((line) => line.line.startsWith("x"));
      expect(pieces.map((line) => line.line).join("")).toBe("x".repeat(1024 * 1024));
      expect(pieces.every((line) => line.line.length <= 64 * 1024)).toBe(true);
      expect(pieces.slice(0, -1).every((line) => line.truncated === true)).toBe(true);
      expect(pieces.at(-1)?.truncated).toBeFalsy();
      const garbage = lines.find((line) => line.line.startsWith("bin"));
      expect(garbage?.line).toContain("\uFFFD");
      expect(lines.at(-1)?.line).toBe("done");
    });
  });
}
