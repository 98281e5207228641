import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { isSameProcess, processStartTime } from "../runtime/proc/proc-stat.js";

/** The lock file's name inside the data directory. */
export const DATA_DIR_LOCK_FILE = "platform.lock";

/** Who holds a data directory, as written in its lock file. */
export interface LockHolder {
  pid: number;
  /** The process's start identity (proc-stat), so a reused pid is never taken for the holder. */
  startTime: string;
  host: string;
  startedAt: string;
  /** Set once it has begun to shut down: a new platform waits for it instead of refusing. */
  stopping?: boolean;
}

/** A second platform on the same data directory: names who holds it and what to do. */
export class DataDirLockedError extends Error {
  readonly holder: LockHolder;

  constructor(home: string, holder: LockHolder) {
    super(
      `Another Slipway platform (pid ${holder.pid}, started ${holder.startedAt}) is using the data directory ${home}: two would supervise the same replicas. Stop it first (Ctrl-C, or \`slipway down\` to stop its replicas too), or pass another --data.`,
    );
    this.name = "DataDirLockedError";
    this.holder = holder;
  }
}

export interface DataDirLock {
  /** The holder whose lock was taken over because it no longer runs (a crash), if any. */
  tookOverFrom: LockHolder | undefined;
  /** Says in the lock that this platform is shutting down, so `slipway down && slipway up` works. */
  markStopping(): Promise<void>;
  release(): Promise<void>;
}

/** How long a new platform waits for one that is shutting down to let go of the directory. */
const stoppingWaitMs = 60_000;

/** Homes this process holds: a second platform in the same process is refused too. */
const heldHere = new Set<string>();

/**
 * Takes the data directory for this platform, like Prometheus' lock file: a lock left by a
 * platform that died (kill -9, power loss) names a process that no longer runs and is taken over;
 * a live holder is refused with {@link DataDirLockedError}.
 */
export async function lockDataDirectory(home: string): Promise<DataDirLock> {
  const path = join(home, DATA_DIR_LOCK_FILE);
  if (heldHere.has(path)) {
    throw new DataDirLockedError(home, await readHolder(path).then((h) => h ?? ownHolder()));
  }
  const me = ownHolder();
  const waitingSince = Date.now();
  let tookOverFrom: LockHolder | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      // wx: created only if absent, so of two platforms starting at once exactly one gets it.
      await writeFile(path, `${JSON.stringify(me)}\n`, { flag: "wx", mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 20) {
        throw error;
      }
    }
    const holder = await readHolder(path);
    if (holder === undefined) {
      // Just created and not written yet, or a torn write of a platform that died mid-write.
      await new Promise((resolve) => setTimeout(resolve, 50));
      if ((await readHolder(path)) === undefined && attempt >= 3) {
        await rm(path, { force: true });
      }
      continue;
    }
    if (isSameProcess(holder.pid, holder.startTime) && holder.host === me.host) {
      if (holder.stopping !== true || Date.now() - waitingSince > stoppingWaitMs) {
        throw new DataDirLockedError(home, holder);
      }
      // It is on its way out (stopping replicas, closing the store): wait for it to finish.
      await new Promise((resolve) => setTimeout(resolve, 100));
      attempt = Math.min(attempt, 1);
      continue;
    }
    tookOverFrom = holder;
    await rm(path, { force: true });
  }
  heldHere.add(path);
  return {
    tookOverFrom,
    markStopping: async () => {
      if (heldHere.has(path)) {
        // Replaced whole (rename is atomic), so a reader never sees half a lock.
        const next = `${path}.${process.pid}.tmp`;
        await writeFile(next, `${JSON.stringify({ ...me, stopping: true })}\n`, { mode: 0o600 });
        await rename(next, path);
      }
    },
    release: async () => {
      if (!heldHere.delete(path)) {
        return;
      }
      const holder = await readHolder(path);
      // Only our own: never delete a lock another platform took after ours was (wrongly) removed.
      if (holder?.pid === me.pid && holder.startTime === me.startTime) {
        await rm(path, { force: true });
      }
    },
  };
}

function ownHolder(): LockHolder {
  return {
    pid: process.pid,
    startTime: processStartTime(process.pid) ?? "unknown",
    host: hostname(),
    startedAt: new Date().toISOString(),
  };
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LockHolder>;
    if (typeof parsed.pid === "number" && typeof parsed.startTime === "string") {
      return {
        pid: parsed.pid,
        startTime: parsed.startTime,
        host: String(parsed.host ?? ""),
        startedAt: String(parsed.startedAt ?? "an unknown time"),
        ...(parsed.stopping === true ? { stopping: true } : {}),
      };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
