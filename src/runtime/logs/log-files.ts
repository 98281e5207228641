import { readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** One captured line as stored on disk, one JSON object per line. */
export interface LogRecord {
  /** When the runtime read the line (ISO-8601, milliseconds). */
  at: string;
  stream: "stdout" | "stderr";
  line: string;
  /** Present (true) when a line over the size limit was cut here and continues in the next record. */
  truncated?: true;
  /** Present (true) on a piece of a cut line that continues the previous record (written since 2026-12). */
  continued?: true;
}

/** One log file of a replica, in write order. */
export interface LogFileEntry {
  seq: number;
  /** Timestamp of the first record in the file: the time index. */
  firstAt: string;
}

/** Size bounds of a replica's logs. Disk use stays under maxFileBytes × maxFiles (plus one line). */
export interface LogRotation {
  maxFileBytes: number;
  maxFiles: number;
}

/** 10 MiB per file, 5 files: Docker's json-file driver with max-size=10m, max-file=5. */
export const DEFAULT_LOG_ROTATION: LogRotation = { maxFileBytes: 10 * 1024 * 1024, maxFiles: 5 };

export const LOG_INDEX_FILE = "log-index.json";
const LOG_FILE_PATTERN = /^log-(\d{6,})\.jsonl$/;

/** `log-000042.jsonl`: numbered, never renamed, so a follower's open file stays what it was. */
export function logFileName(seq: number): string {
  return `log-${String(seq).padStart(6, "0")}.jsonl`;
}

/**
 * The log files of a directory, oldest first, with their first timestamps. The index is the
 * source of the timestamps; files present on disk but missing from it (a crash between
 * creating a file and rewriting the index) are listed with an empty `firstAt`.
 */
export function listLogFiles(dir: string): LogFileEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const indexed = new Map(readLogIndex(dir).map((entry) => [entry.seq, entry.firstAt]));
  const entries: LogFileEntry[] = [];
  for (const name of names) {
    const match = LOG_FILE_PATTERN.exec(name);
    if (match?.[1] !== undefined) {
      const seq = Number(match[1]);
      entries.push({ seq, firstAt: indexed.get(seq) ?? "" });
    }
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

/** Reads the time index; an unreadable index is treated as empty (the files still list). */
export function readLogIndex(dir: string): LogFileEntry[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, LOG_INDEX_FILE), "utf8"));
    return Array.isArray(parsed) ? parsed.filter(isLogFileEntry) : [];
  } catch {
    return [];
  }
}

/** Rewrites the time index atomically (write a temporary file, then rename over). */
export function writeLogIndex(dir: string, entries: LogFileEntry[]): void {
  const temporary = join(dir, `${LOG_INDEX_FILE}.tmp`);
  writeFileSync(temporary, JSON.stringify(entries));
  renameSync(temporary, join(dir, LOG_INDEX_FILE));
}

/** Parses one stored line; undefined for a torn or foreign line. */
export function parseLogRecord(text: string): LogRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (
      typeof value === "object" &&
      value !== null &&
      "at" in value &&
      typeof value.at === "string" &&
      "line" in value &&
      typeof value.line === "string" &&
      "stream" in value &&
      (value.stream === "stdout" || value.stream === "stderr")
    ) {
      const record: LogRecord = { at: value.at, stream: value.stream, line: value.line };
      if ("truncated" in value && value.truncated === true) {
        record.truncated = true;
      }
      if ("continued" in value && value.continued === true) {
        record.continued = true;
      }
      return record;
    }
  } catch {
    // A torn write at the end of a file after a crash: skip it.
  }
  return undefined;
}

function isLogFileEntry(value: unknown): value is LogFileEntry {
  return (
    typeof value === "object" &&
    value !== null &&
    "seq" in value &&
    typeof value.seq === "number" &&
    "firstAt" in value &&
    typeof value.firstAt === "string"
  );
}
