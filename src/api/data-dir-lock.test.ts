import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DATA_DIR_LOCK_FILE, DataDirLockedError, lockDataDirectory } from "./data-dir-lock.js";

const node = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "node");
// The other process runs the built lock (dist/ is built by the test setup), as a platform would.
const lockModule = join(import.meta.dirname, "..", "..", "dist", "api", "data-dir-lock.js");

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

  /**
   * Another process (another platform) that takes the lock and says "locked"; with `stopAfterMs`
   * it marks itself stopping and lets go that much later.
   */
  const holderProcess = async (stopAfterMs?: number): Promise<ChildProcess> => {
    const script = `
      const { lockDataDirectory } = await import(${JSON.stringify(lockModule)});
      const lock = await lockDataDirectory(${JSON.stringify(home)});
      console.log("locked");
      ${stopAfterMs === undefined ? "setInterval(() => {}, 1000);" : `await lock.markStopping(); console.log("stopping"); setTimeout(() => lock.release(), ${stopAfterMs});`}
    `;
    const child = spawn(node, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    children.push(child);
    let out = "";
    child.stdout?.on("data", (chunk) => {
      out += chunk;
    });
    const wanted = stopAfterMs === undefined ? "locked" : "stopping";
    for (let i = 0; i < 100 && !out.includes(wanted); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(out).toContain(wanted);
    return child;
  };

  it("is held by one platform at a time, says who holds it (mode 0600), and is free after release", async () => {
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

  it("refuses while another process holds it, naming that process and what to do", async () => {
    const holder = await holderProcess();
    const refused = await lockDataDirectory(home).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toMatch(
      new RegExp(
        `^Another Slipway platform \\(pid ${holder.pid} on ${hostname()}, started \\S+\\) is using the data directory ${home}: two would supervise the same replicas\\. Stop it first`,
      ),
    );
  });

  it("is free the moment its holder is killed (kill -9), and says who that was", async () => {
    const holder = await holderProcess();
    holder.kill("SIGKILL");
    await once(holder, "exit");
    const lock = await lockDataDirectory(home);
    expect(lock.tookOverFrom?.pid).toBe(holder.pid);
    expect(JSON.parse(await readFile(join(home, DATA_DIR_LOCK_FILE), "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  it("waits for a holder that is shutting down (`slipway down && slipway up`)", async () => {
    await holderProcess(400);
    const started = Date.now();
    const lock = await lockDataDirectory(home);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
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
});
