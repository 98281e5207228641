import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { probeWithDefaults } from "./health/probe.js";
import { ProcessRuntime } from "./process/process-runtime.js";
import { ReplicaSupervisor, type SupervisorEvent } from "./replica-supervisor.js";
import { copyApps, httpGet, shellQuote, specFor, waitFor } from "./runtime-test-kit.case.js";

const NODE = shellQuote(process.execPath);
const FAST_BACKOFF = { initialDelayMs: 100, maxDelayMs: 400, resetAfterMs: 60_000 };

describe("ReplicaSupervisor", () => {
  let workDir: string;
  let appDir: string;
  let runtime: ProcessRuntime;
  let supervisors: ReplicaSupervisor[];

  beforeEach(() => {
    workDir = mkdtempSync(join(tmpdir(), "slipway-supervisor-"));
    appDir = copyApps(workDir);
    runtime = new ProcessRuntime({ stateDir: join(workDir, "state"), exitPollIntervalMs: 25 });
    supervisors = [];
  });

  afterEach(async () => {
    for (const supervisor of supervisors) {
      await supervisor.stop(0);
    }
    await runtime.close();
    runtime.removeEmptyCgroupParents();
    rmSync(workDir, { recursive: true, force: true });
  });

  const supervise = (options: Omit<ConstructorParameters<typeof ReplicaSupervisor>[0], "runtime">) => {
    const supervisor = new ReplicaSupervisor({
      runtime,
      backoff: FAST_BACKOFF,
      stopGraceMs: 500,
      ...options,
    });
    const events: SupervisorEvent[] = [];
    supervisor.onEvent((event) => events.push(event));
    supervisors.push(supervisor);
    return { supervisor, events };
  };

  it("restarts a crashing command on the backoff schedule and reports CrashLoopBackOff", async () => {
    const { supervisor, events } = supervise({
      spec: specFor(workDir, appDir, {
        id: "crashy",
        command: 'echo "connecting to db"; echo "fatal: no database" >&2; exit 2',
      }),
    });
    await supervisor.start();
    await waitFor(
      () => events.filter((event) => event.type === "restart-scheduled").length >= 4,
      10_000,
      "4 crashes",
    );
    const delays = events.flatMap((event) =>
      event.type === "restart-scheduled" ? [event.plan.delayMs] : [],
    );
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 400]);
    const status = supervisor.status();
    expect(status.phase).toBe("CrashLoopBackOff");
    expect(status.ready).toBe(false);
    expect(status.restarts).toBeGreaterThanOrEqual(3);
    expect(status.lastExit).toMatchObject({ code: 2, reason: "Error" });
    expect(status.lastLogLines?.map((line) => [line.stream, line.line]).slice(-2)).toEqual([
      ["stdout", "connecting to db"],
      ["stderr", "fatal: no database"],
    ]);
    expect(status.backoffMs).toBe(400);
    expect(Date.parse(status.nextRestartAt ?? "")).toBeGreaterThan(0);
    const types = events.map((event) => event.type);
    expect(types.slice(0, 5)).toEqual(["started", "ready", "exited", "restart-scheduled", "started"]);
  });

  it.skipIf(process.getuid?.() !== 0)(
    "removes the private home of a replica stopped while it waits for its restart",
    async () => {
      // The platform's data directory is traversable, not listable (0711), when it isolates replicas.
      chmodSync(workDir, 0o711);
      const { supervisor, events } = supervise({
        spec: specFor(workDir, appDir, {
          id: "crash-looping",
          command: 'echo kept >"$HOME/file"; exit 3',
          runAs: { uid: 2_000_000_124, gid: 2_000_000_124 },
        }),
        backoff: { initialDelayMs: 60_000, maxDelayMs: 60_000, resetAfterMs: 60_000 },
      });
      await supervisor.start();
      const home = supervisor.status().handle?.home ?? "";
      await waitFor(() => events.some((event) => event.type === "restart-scheduled"), 5000, "the crash");
      expect(readFileSync(join(home, "file"), "utf8")).toBe("kept\n");
      expect(await supervisor.stop(200)).toBeUndefined();
      expect(existsSync(home)).toBe(false);
    },
  );

  it("runs a command probe inside the replica's cgroups, as an exec probe runs in its container", async (context) => {
    if (runtime.cgroupSupport().memory === undefined) {
      context.skip();
    }
    const { supervisor } = supervise({
      spec: specFor(workDir, appDir, { id: "probed-inside", command: "sleep 30" }),
      // Passes only where the probe's own cgroup is the replica's.
      readiness: probeWithDefaults(
        { type: "command", command: "grep -q '/probed-inside$' /proc/self/cgroup" },
        { period: 50 },
      ),
    });
    await supervisor.start();
    expect(supervisor.status().handle?.cgroupProcs?.length).toBeGreaterThan(0);
    await waitFor(() => supervisor.status().ready, 5000, "readiness from inside the cgroup");
  });

  it("becomes Ready through its readiness probe and stops cleanly", async () => {
    const { supervisor, events } = supervise({
      spec: specFor(workDir, appDir, { id: "web", command: `${NODE} echo-server.cjs` }),
      readiness: probeWithDefaults({ type: "http", path: "/healthz" }, { period: 50 }),
    });
    await supervisor.start();
    expect(supervisor.status().phase).toBe("Running");
    await waitFor(() => supervisor.status().ready, 5000, "readiness");
    expect(supervisor.status()).toMatchObject({ phase: "Ready", restarts: 0 });
    const port = supervisor.status().handle?.port ?? 0;
    expect((await httpGet(port, "/")).body).toBe("hello");
    const stats = await supervisor.stats();
    expect(stats).toMatchObject({ restarts: 0 });
    expect(stats?.rssBytes).toBeGreaterThan(0);
    const exit = await supervisor.stop(2000);
    expect(exit).toMatchObject({ code: 0, reason: "Completed" });
    expect(supervisor.status().phase).toBe("Stopped");
    expect(events.map((event) => event.type)).toEqual(["started", "ready", "stopped"]);
  });

  it("restarts a replica whose liveness fails, recording LivenessFailed", async () => {
    const deadPort = await closedPort();
    const { supervisor, events } = supervise({
      spec: specFor(workDir, appDir, { id: "stuck", command: `${NODE} echo-server.cjs` }),
      readiness: probeWithDefaults({ type: "http", path: "/healthz" }, { period: 30 }),
      liveness: probeWithDefaults({ type: "tcp", port: deadPort }, { period: 30, failureThreshold: 2 }),
    });
    await supervisor.start();
    await waitFor(() => events.some((event) => event.type === "exited"), 10_000, "the liveness restart");
    const exited = events.find((event) => event.type === "exited");
    expect(exited).toMatchObject({ exit: { reason: "LivenessFailed" } });
    expect(events.map((event) => event.type).slice(0, 4)).toEqual([
      "started",
      "ready",
      "liveness-failed",
      "exited",
    ]);
    await waitFor(
      () => supervisor.status().restarts === 1 && supervisor.status().phase !== "Starting",
      5000,
      "the restart",
    );
  });

  it("holds a replica back until its startup probe passes, saying why in its status", async () => {
    const { supervisor, events } = supervise({
      spec: specFor(workDir, appDir, { id: "slow", command: `sleep 0.6; exec ${NODE} echo-server.cjs` }),
      startup: probeWithDefaults({ type: "tcp" }, { period: 50, failureThreshold: 200 }),
    });
    await supervisor.start();
    await waitFor(() => supervisor.status().readinessFailure !== undefined, 5000, "a failed check");
    expect(supervisor.status()).toMatchObject({ phase: "Running", ready: false });
    expect(supervisor.status().readinessFailure).toMatch(/^tcp \d+: connect ECONNREFUSED/);
    await waitFor(() => supervisor.status().ready, 5000, "the port");
    const port = supervisor.status().handle?.port ?? 0;
    expect((await httpGet(port, "/")).body).toBe("hello");
    expect(events.map((event) => event.type)).toEqual(["started", "ready"]);
  });

  it("restarts a replica whose startup probe never passes, with the probe's own summary", async () => {
    const { supervisor, events } = supervise({
      spec: specFor(workDir, appDir, { id: "silent", command: "sleep 30" }),
      startup: {
        ...probeWithDefaults({ type: "tcp" }, { period: 30, failureThreshold: 3 }),
        failureSummary: "did not listen on $PORT within 0.09 s",
      },
    });
    await supervisor.start();
    await waitFor(() => events.some((event) => event.type === "exited"), 10_000, "the restart");
    expect(events.find((event) => event.type === "liveness-failed")).toMatchObject({
      message: expect.stringMatching(
        /^did not listen on \$PORT within 0\.09 s: tcp \d+: connect ECONNREFUSED/,
      ),
    });
    expect(events.find((event) => event.type === "exited")).toMatchObject({
      exit: { reason: "LivenessFailed" },
    });
    expect(events.some((event) => event.type === "ready")).toBe(false);
  });
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
