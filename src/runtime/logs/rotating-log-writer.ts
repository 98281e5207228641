import { closeSync, mkdirSync, openSync, readSync, statSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import {
  DEFAULT_LOG_ROTATION,
  type LogFileEntry,
  type LogRecord,
  type LogRotation,
  listLogFiles,
  logFileName,
  writeLogIndex,
} from "./log-files.js";

/**
 * Appends log records to size-bounded files `log-NNNNNN.jsonl` in one directory, starting a new
 * file when the current one would pass `maxFileBytes` and deleting the oldest beyond
 * `maxFiles`. Writes are synchronous on purpose: a process that logs faster than the disk
 * takes is slowed down through its own pipe, and nobody else waits. A write that fails (a full
 * disk) never throws: the lines are dropped and counted, and a line saying how many goes in
 * first once writing works again, so a full disk costs log lines, never the replica.
 *
 * @example
 * const writer = new RotatingLogWriter("/data/logs/api-1");
 * writer.write([{ at: new Date().toISOString(), stream: "stdout", line: "listening" }]);
 * writer.close();
 */
export class RotatingLogWriter {
  readonly #dir: string;
  readonly #rotation: LogRotation;
  #files: LogFileEntry[];
  #fd: number | undefined;
  #size = 0;
  /** Lines lost to failed writes since the last one that worked, and why. */
  #dropped = 0;
  #dropReason = "";
  /** A failed write may have left half a line: the next write ends it first. */
  #torn = false;

  constructor(dir: string, rotation: LogRotation = DEFAULT_LOG_ROTATION) {
    this.#dir = dir;
    this.#rotation = rotation;
    // Apps print things they should not (tokens in URLs, …): logs are the platform's to serve, no one else's.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // A restarted replica continues in its last file, so its logs read as one history.
    this.#files = listLogFiles(dir);
    const last = this.#files.at(-1);
    if (last !== undefined) {
      const path = join(dir, logFileName(last.seq));
      this.#size = statSync(path).size;
      this.#fd = openSync(path, "a", 0o600);
      // A writer killed in the middle of a line (a shim's SIGKILL) left it without its newline.
      this.#torn = this.#size > 0 && !endsWithNewline(path, this.#size);
    }
  }

  /** Appends records in one write per file touched. */
  write(records: LogRecord[]): void {
    if (records.length === 0) {
      return;
    }
    const notice: LogRecord[] =
      this.#dropped === 0
        ? []
        : [
            {
              at: records[0]?.at ?? new Date().toISOString(),
              stream: "stderr",
              line: `slipway: ${this.#dropped} log lines were dropped: ${this.#dropReason}`,
            },
          ];
    try {
      this.#append([...notice, ...records]);
      this.#dropped = 0;
    } catch (error) {
      this.#dropped += records.length;
      this.#dropReason = (error as NodeJS.ErrnoException).code ?? String(error);
      this.#torn = true;
    }
  }

  #append(records: LogRecord[]): void {
    let batch = "";
    let batchBytes = 0;
    for (const record of records) {
      const text = `${JSON.stringify(record)}\n`;
      const bytes = Buffer.byteLength(text);
      if (
        this.#fd === undefined ||
        (this.#size + batchBytes + bytes > this.#rotation.maxFileBytes && this.#size + batchBytes > 0)
      ) {
        this.#flush(batch);
        batch = "";
        batchBytes = 0;
        this.#startFile(record.at);
      }
      batch += text;
      batchBytes += bytes;
    }
    this.#flush(batch);
  }

  /** Closes the current file. */
  close(): void {
    if (this.#fd !== undefined) {
      closeSync(this.#fd);
      this.#fd = undefined;
    }
  }

  #flush(batch: string): void {
    if (batch === "" || this.#fd === undefined) {
      return;
    }
    const bytes = Buffer.from(this.#torn ? `\n${batch}` : batch);
    this.#torn = false;
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(this.#fd, bytes, written);
    }
    this.#size += written;
  }

  #startFile(firstAt: string): void {
    this.close();
    const seq = (this.#files.at(-1)?.seq ?? 0) + 1;
    this.#fd = openSync(join(this.#dir, logFileName(seq)), "a", 0o600);
    this.#size = 0;
    this.#files.push({ seq, firstAt });
    while (this.#files.length > this.#rotation.maxFiles) {
      const oldest = this.#files.shift();
      if (oldest !== undefined) {
        try {
          unlinkSync(join(this.#dir, logFileName(oldest.seq)));
        } catch {
          // Already gone: the bound holds either way.
        }
      }
    }
    writeLogIndex(this.#dir, this.#files);
  }
}

function endsWithNewline(path: string, size: number): boolean {
  const fd = openSync(path, "r");
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}
