import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type LogFileEntry, type LogRecord, listLogFiles, logFileName, parseLogRecord } from "./log-files.js";

/** Which stored lines to read. */
export interface LogQuery {
  /** Lines at or after this time; the time index skips whole files before it. */
  since?: Date;
  /** Only lines containing this text (case-sensitive, like grep without -i). */
  grep?: string;
  /** Only the last N matching lines (the most recent), still returned oldest first. */
  limit?: number;
  /**
   * Only records this accepts, too: e.g. a grep on the text a reader is shown (secrets masked)
   * rather than on the stored text.
   */
  match?: (record: LogRecord) => boolean;
}

/** How to follow a log as it grows. */
export interface FollowQuery extends LogQuery {
  /** Stops the follow promptly, even while it waits for new lines. */
  signal?: AbortSignal;
  /** How often to look for new lines; default 100 ms. */
  pollIntervalMs?: number;
  /** Asked when no new line arrived; true ends the follow after a last read (the replica exited). */
  isFinished?: () => boolean | Promise<boolean>;
}

interface Cursor {
  seq: number;
  offset: number;
}

/** At most this much is read from a file per step of a follow, so one step stays short. */
const FOLLOW_READ_BYTES = 4 * 1024 * 1024;

/**
 * Reads the stored log records of one directory, oldest first. With a limit it reads files
 * newest first and stops as soon as it has enough, so `--tail 100` stays cheap on big logs.
 */
export async function* readLogRecords(dir: string, query: LogQuery = {}): AsyncGenerator<LogRecord> {
  yield* readUpTo(dir, query, undefined);
}

/**
 * Reads the matching stored records (the last `limit` of them, if given), then yields new
 * records as they are written, across file rotations, until `signal` aborts or `isFinished`
 * says the writer is done and nothing is left to read.
 */
export async function* followLogRecords(dir: string, query: FollowQuery = {}): AsyncGenerator<LogRecord> {
  const cursor = await endCursor(dir);
  yield* readUpTo(dir, query, cursor);
  const pollIntervalMs = query.pollIntervalMs ?? 100;
  let finishing = false;
  while (query.signal?.aborted !== true) {
    const chunk = await readFrom(dir, cursor);
    if (chunk === "gone" || chunk.records.length === 0) {
      const next = listLogFiles(dir).find((file) => file.seq > cursor.seq);
      if (next !== undefined && (chunk === "gone" || chunk.atEnd)) {
        cursor.seq = next.seq;
        cursor.offset = 0;
        continue;
      }
      if (finishing) {
        return;
      }
      if ((await query.isFinished?.()) === true) {
        // One more pass: the last lines may have landed just before the writer finished.
        finishing = true;
        continue;
      }
      try {
        await sleep(pollIntervalMs, undefined, query.signal ? { signal: query.signal } : {});
      } catch {
        return;
      }
      continue;
    }
    for (const record of chunk.records) {
      if (matches(record, query)) {
        yield record;
      }
    }
  }
}

/** Reads records up to a cursor (or everything), honouring since, grep and limit. */
async function* readUpTo(
  dir: string,
  query: LogQuery,
  cursor: Cursor | undefined,
): AsyncGenerator<LogRecord> {
  const files = filesFrom(listLogFiles(dir), query.since).filter(
    (file) => cursor === undefined || file.seq <= cursor.seq,
  );
  const endOf = (file: LogFileEntry): number | undefined =>
    cursor !== undefined && file.seq === cursor.seq ? cursor.offset : undefined;
  if (query.limit === undefined) {
    for (const file of files) {
      for (const record of await readFileRecords(dir, file.seq, endOf(file))) {
        if (matches(record, query)) {
          yield record;
        }
      }
    }
    return;
  }
  const limit = Math.max(0, query.limit);
  let collected: LogRecord[] = [];
  for (const file of files.reverse()) {
    if (collected.length >= limit) {
      break;
    }
    const matching = (await readFileRecords(dir, file.seq, endOf(file))).filter((record) =>
      matches(record, query),
    );
    collected = matching.concat(collected);
  }
  yield* collected.slice(Math.max(0, collected.length - limit));
}

/** Drops the files that end before `since`: file i ends where file i+1 begins. */
function filesFrom(files: LogFileEntry[], since: Date | undefined): LogFileEntry[] {
  if (since === undefined) {
    return files;
  }
  const from = since.getTime();
  return files.filter((_, index) => {
    const nextStart = files[index + 1]?.firstAt;
    return nextStart === undefined || nextStart === "" || Date.parse(nextStart) >= from;
  });
}

function matches(record: LogRecord, query: LogQuery): boolean {
  if (query.since !== undefined && Date.parse(record.at) < query.since.getTime()) {
    return false;
  }
  if (query.grep !== undefined && !record.line.includes(query.grep)) {
    return false;
  }
  return query.match === undefined || query.match(record);
}

async function readFileRecords(dir: string, seq: number, end: number | undefined): Promise<LogRecord[]> {
  let buffer: Buffer;
  try {
    buffer = await readFile(join(dir, logFileName(seq)));
  } catch {
    // Rotated away while we were reading: its lines are gone by design.
    return [];
  }
  const text = buffer.subarray(0, end ?? buffer.length).toString("utf8");
  return parseLines(text.slice(0, text.lastIndexOf("\n") + 1));
}

function parseLines(text: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of text.split("\n")) {
    const record = line === "" ? undefined : parseLogRecord(line);
    if (record !== undefined) {
      records.push(record);
    }
  }
  return records;
}

/** Where the stored lines end right now: the last complete line of the newest file. */
async function endCursor(dir: string): Promise<Cursor> {
  const last = listLogFiles(dir).at(-1);
  if (last === undefined) {
    return { seq: 0, offset: 0 };
  }
  try {
    const buffer = await readFile(join(dir, logFileName(last.seq)));
    return { seq: last.seq, offset: buffer.lastIndexOf(0x0a) + 1 };
  } catch {
    return { seq: last.seq, offset: 0 };
  }
}

/** Reads complete new lines at the cursor and advances it past them. */
async function readFrom(
  dir: string,
  cursor: Cursor,
): Promise<{ records: LogRecord[]; atEnd: boolean } | "gone"> {
  if (cursor.seq === 0) {
    return "gone";
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(join(dir, logFileName(cursor.seq)), "r");
  } catch {
    return "gone";
  }
  try {
    const size = (await handle.stat()).size;
    const length = Math.min(size - cursor.offset, FOLLOW_READ_BYTES);
    if (length <= 0) {
      return { records: [], atEnd: true };
    }
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, cursor.offset);
    const complete = buffer.subarray(0, bytesRead).lastIndexOf(0x0a) + 1;
    if (complete === 0) {
      // A line bigger than one read step cannot happen (lines are capped); a torn write can.
      return { records: [], atEnd: cursor.offset + bytesRead >= size };
    }
    cursor.offset += complete;
    return {
      records: parseLines(buffer.subarray(0, complete).toString("utf8")),
      atEnd: cursor.offset >= size,
    };
  } finally {
    await handle.close();
  }
}
