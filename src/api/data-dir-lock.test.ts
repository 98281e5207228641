import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { processStartTime } from "../runtime/proc/proc-stat.js";
import { DATA_DIR_LOCK_FILE, DataDirLockedError, lockDataDirectory } from "./data-dir-lock.js";

describe("the data directory lock", () => {
  let home: string;
  let children: ChildProcess[] = [];
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "slipway-lock-"));
  });
  afterEach(async () => {
    for (const child of children) {
      child.kill("SIGKILL");
    }
    children = [];
    await rm(home, { recursive: true, force: true });
  });

  /** A real process that stays alive until the test ends. */
  const liveProcess = async (): Promise<number> => {
    const child = spawn("sleep", ["30"], { stdio: "ignore" });
    children.push(child);
    await new Promise((resolve) => child.once("spawn", resolve));
    return child.pid as number;
  };
  const writeLock = (holder: object) => writeFile(join(home, DATA_DIR_LOCK_FILE), JSON.stringify(holder));

  it("is held by one platform at a time, private to its owner, and free again after release", async () => {
    const lock = await lockDataDirectory(home);
    expect(lock.tookOverFrom).toBeUndefined();
    const file = join(home, DATA_DIR_LOCK_FILE);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({ pid: process.pid, host: hostname() });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await expect(lockDataDirectory(home)).rejects.toBeInstanceOf(DataDirLockedError);
    await lock.release();
    await expect(stat(file)).rejects.toMatchObject({ code: "ENOENT" });
    const again = await lockDataDirectory(home);
    await again.release();
  });

  it("of two taking it at the same moment, exactly one wins", async () => {
    const results = await Promise.allSettled([lockDataDirectory(home), lockDataDirectory(home)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "fulfilled") {
        await result.value.release();
      }
    }
  });

  it("refuses a live holder, naming its pid and what to do", async () => {
    const pid = await liveProcess();
    const startedAt = "2026-12-02T01:00:00.000Z";
    await writeLock({ pid, startTime: processStartTime(pid), host: hostname(), startedAt });
    const refused = await lockDataDirectory(home).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toBe(
      `Another Slipway platform (pid ${pid}, started ${startedAt}) is using the data directory ${home}: two would supervise the same replicas. Stop it first (Ctrl-C, or \`slipway down\` to stop its replicas too), or pass another --data.`,
    );
    // The holder's lock is left exactly as it was.
    expect(JSON.parse(await readFile(join(home, DATA_DIR_LOCK_FILE), "utf8")).pid).toBe(pid);
  });

  it("waits for a live holder that is shutting down (`slipway down && slipway up`)", async () => {
    const pid = await liveProcess();
    await writeLock({
      pid,
      startTime: processStartTime(pid),
      host: hostname(),
      startedAt: "x",
      stopping: true,
    });
    // The holder finishes stopping 300 ms later and removes its lock.
    setTimeout(() => void rm(join(home, DATA_DIR_LOCK_FILE), { force: true }), 300);
    const started = Date.now();
    const lock = await lockDataDirectory(home);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(lock.tookOverFrom).toBeUndefined();
    await lock.release();
  });

  it("marks its own lock as stopping, whole, without giving it up", async () => {
    const lock = await lockDataDirectory(home);
    await lock.markStopping();
    const holder = JSON.parse(await readFile(join(home, DATA_DIR_LOCK_FILE), "utf8"));
    expect(holder).toMatchObject({ pid: process.pid, stopping: true });
    await lock.release();
    await expect(stat(join(home, DATA_DIR_LOCK_FILE))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it.each([
    ["a process that has exited (kill -9 of the platform)", "dead"],
    ["a reused pid (alive, but another process than the one that locked)", "reused"],
    ["a torn, unreadable lock file", "torn"],
  ])("takes over a lock left by %s", async (_label, kind) => {
    if (kind === "torn") {
      await writeFile(join(home, DATA_DIR_LOCK_FILE), '{"pid": 12');
    } else if (kind === "dead") {
      const child = spawn("true");
      const pid = child.pid as number;
      await new Promise((resolve) => child.once("exit", resolve));
      await writeLock({ pid, startTime: "123@gone", host: hostname(), startedAt: "x" });
    } else {
      const pid = await liveProcess();
      await writeLock({ pid, startTime: "1@another-boot", host: hostname(), startedAt: "x" });
    }
    const lock = await lockDataDirectory(home);
    expect(JSON.parse(await readFile(join(home, DATA_DIR_LOCK_FILE), "utf8")).pid).toBe(process.pid);
    // What the platform warns about: the last one did not shut down cleanly.
    expect(lock.tookOverFrom === undefined).toBe(kind === "torn");
    await lock.release();
  });

  it("release never removes a lock another platform holds", async () => {
    const lock = await lockDataDirectory(home);
    const pid = await liveProcess();
    // As if someone deleted our lock by hand and another platform took the directory.
    await writeLock({ pid, startTime: processStartTime(pid), host: hostname(), startedAt: "x" });
    await lock.release();
    expect(JSON.parse(await readFile(join(home, DATA_DIR_LOCK_FILE), "utf8")).pid).toBe(pid);
  });
});
