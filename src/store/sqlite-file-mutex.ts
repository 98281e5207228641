import { resolve } from "node:path";
import { AsyncMutex } from "./async-mutex.js";

interface SharedMutex {
  mutex: AsyncMutex;
  users: number;
}

const mutexesByFile = new Map<string, SharedMutex>();

/**
 * The one mutex every connection of this process to the SQLite file at `path` shares.
 *
 * node:sqlite is synchronous: while one connection holds a write transaction across an `await`, a
 * second connection of the same process that waits on SQLite's busy timeout blocks the event loop,
 * so the first can never commit. Taking turns here first means in-process connections never wait
 * inside SQLite; the busy timeout is left for other processes. In-memory databases get their own.
 */
export function shareFileMutex(path: string): { mutex: AsyncMutex; release(): void } {
  if (path === ":memory:" || path === "") {
    return { mutex: new AsyncMutex(), release: () => {} };
  }
  const key = resolve(path);
  let shared = mutexesByFile.get(key);
  if (shared === undefined) {
    shared = { mutex: new AsyncMutex(), users: 0 };
    mutexesByFile.set(key, shared);
  }
  shared.users += 1;
  const entry = shared;
  let released = false;
  return {
    mutex: entry.mutex,
    release: () => {
      if (released) {
        return;
      }
      released = true;
      entry.users -= 1;
      if (entry.users === 0 && mutexesByFile.get(key) === entry) {
        mutexesByFile.delete(key);
      }
    },
  };
}
