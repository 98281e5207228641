import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { DataDirLockedError, type LockHolder } from "./data-dir-locked-error.js";

export { DataDirLockedError, type LockHolder } from "./data-dir-locked-error.js";

/** Who holds a data directory, for messages: what the holder wrote beside its lock. */
export const DATA_DIR_LOCK_FILE = "platform.lock";
/** The lock itself: a SQLite file held in exclusive locking mode by the platform that runs. */
export const DATA_DIR_LOCK_DB = "platform.lock.db";

export interface DataDirLock {
  /** The holder whose lock was taken over because it no longer runs (a crash), if any. */
  tookOverFrom: LockHolder | undefined;
  /** Says in the lock that this platform is shutting down, so `slipway down && slipway up` works. */
  markStopping(): Promise<void>;
  release(): Promise<void>;
}

/** How long a new platform waits for one that is shutting down to let go of the directory. */
const stoppingWaitMs = 60_000;
const SQLITE_BUSY = 5;

/**
 * Takes the data directory for this platform. The lock is a kernel file lock (SQLite's, on
 * `platform.lock.db`, in exclusive locking mode): the kernel drops it the moment its process ends,
 * however it ends (kill -9, OOM, power loss), and it holds across containers sharing the volume,
 * where pids and host names say nothing. `platform.lock` beside it only says who holds it.
 * A live holder is refused with {@link DataDirLockedError}, unless it is shutting down: that one is
 * waited for (up to a minute).
 */
export async function lockDataDirectory(home: string): Promise<DataDirLock> {
  const infoPath = join(home, DATA_DIR_LOCK_FILE);
  const waitingSince = Date.now();
  let db: DatabaseSync;
  for (;;) {
    try {
      db = holdExclusively(join(home, DATA_DIR_LOCK_DB));
      break;
    } catch (error) {
      if ((error as { errcode?: number }).errcode !== SQLITE_BUSY) {
        throw error;
      }
      const holder = await readHolder(infoPath);
      if (holder?.stopping !== true || Date.now() - waitingSince > stoppingWaitMs) {
        throw new DataDirLockedError(home, holder);
      }
      // It is on its way out (stopping replicas, closing the store): wait for it to finish.
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  // We hold the lock, so whoever wrote a holder file left without removing it: it crashed.
  const tookOverFrom = await readHolder(infoPath);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  const writeInfo = async (holder: LockHolder) => {
    // Replaced whole (rename is atomic), so a reader never sees half of it.
    const next = `${infoPath}.${process.pid}.tmp`;
    await writeFile(next, `${JSON.stringify(holder)}\n`, { mode: 0o600 });
    await rename(next, infoPath);
  };
  try {
    await writeInfo(me);
  } catch (error) {
    db.close();
    throw error;
  }
  let held = true;
  return {
    tookOverFrom,
    markStopping: async () => {
      if (held) {
        await writeInfo({ ...me, stopping: true });
      }
    },
    release: async () => {
      if (!held) {
        return;
      }
      held = false;
      // The information first: once the lock is free, the next platform writes its own.
      await rm(infoPath, { force: true });
      db.close();
    },
  };
}

/** Opens the lock file and takes SQLite's exclusive lock, kept until the connection closes. */
function holdExclusively(path: string): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: 0 });
  try {
    db.exec("PRAGMA locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("CREATE TABLE IF NOT EXISTS held_by_the_running_platform (at TEXT)");
    db.exec("COMMIT");
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LockHolder>;
    if (typeof parsed.pid !== "number") {
      return undefined;
    }
    return {
      pid: parsed.pid,
      host: String(parsed.host ?? "an unknown host"),
      startedAt: String(parsed.startedAt ?? "an unknown time"),
      ...(parsed.stopping === true ? { stopping: true } : {}),
    };
  } catch {
    return undefined;
  }
}
