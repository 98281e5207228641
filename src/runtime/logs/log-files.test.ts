import { execFileSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type LogRecord, listLogFiles, readLogIndex } from "./log-files.js";
import { followLogRecords, readLogRecords } from "./log-reader.js";
import { RotatingLogWriter } from "./rotating-log-writer.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "slipway-logs-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (second: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, second)).toISOString();
const record = (second: number, line: string): LogRecord => ({ at: at(second), stream: "stdout", line });

async function all(records: AsyncIterable<LogRecord>): Promise<string[]> {
  const lines: string[] = [];
  for await (const entry of records) {
    lines.push(entry.line);
  }
  return lines;
}

describe("rotating log files", () => {
  it("rotates at the size limit, keeps maxFiles files and indexes their first timestamps", async () => {
    const writer = new RotatingLogWriter(dir, { maxFileBytes: 200, maxFiles: 3 });
    for (let second = 0; second < 20; second++) {
      writer.write([record(second, `line ${second}`)]);
    }
    writer.close();
    const files = listLogFiles(dir);
    expect(files).toHaveLength(3);
    // About 70 bytes a record, so two records a file: 20 records made 10 files, 3 are kept.
    expect(files.map((file) => file.seq)).toEqual([8, 9, 10]);
    expect(readLogIndex(dir)).toEqual(files);
    for (const name of readdirSync(dir).filter((file) => file.endsWith(".jsonl"))) {
      expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(200);
    }
    const lines = await all(readLogRecords(dir));
    expect(lines.at(-1)).toBe("line 19");
    // Oldest lines were rotated away; the rest are whole and in order.
    const numbers = lines.map((line) => Number(line.split(" ")[1]));
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it("continues in the last file after a restart of the writer", async () => {
    const first = new RotatingLogWriter(dir);
    first.write([record(1, "first run")]);
    first.close();
    const second = new RotatingLogWriter(dir);
    second.write([record(2, "second run")]);
    second.close();
    expect(listLogFiles(dir)).toHaveLength(1);
    expect(await all(readLogRecords(dir))).toEqual(["first run", "second run"]);
  });

  it("ends a line a killed writer left torn before it writes on, so the next record is not lost", async () => {
    const first = new RotatingLogWriter(dir);
    first.write([record(0, "before")]);
    first.close();
    appendFileSync(join(dir, "log-000001.jsonl"), '{"at":"2026-01-01T12:00:01.000Z","stream":"std');
    const second = new RotatingLogWriter(dir);
    second.write([record(2, "after the kill")]);
    second.close();
    expect(await all(readLogRecords(dir))).toEqual(["before", "after the kill"]);
  });

  it("drops lines instead of throwing when the disk is full, and says how many once it can write", async () => {
    // A real full file system: a 64 KiB tmpfs (mounting needs root, as the CI machine is).
    const mounted = mkdtempSync(join(tmpdir(), "slipway-full-"));
    try {
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", mounted]);
    } catch {
      rmSync(mounted, { recursive: true, force: true });
      expect.fail("this test needs to mount a tmpfs (root)");
    }
    try {
      const logs = join(mounted, "logs");
      const writer = new RotatingLogWriter(logs, { maxFileBytes: 1024 * 1024, maxFiles: 2 });
      const filler = "x".repeat(1000);
      let second = 0;
      for (; second < 100; second++) {
        writer.write([record(second, `${second} ${filler}`)]);
      }
      // The disk filled up part way: no throw, and what fit is there.
      const kept = await all(readLogRecords(logs));
      expect(kept.length).toBeGreaterThan(10);
      expect(kept.length).toBeLessThan(100);
      // Space again (what another process held is freed): the writer carries on, saying what it lost.
      execFileSync("mount", ["-o", "remount,size=1m", mounted]);
      writer.write([record(200, "back")]);
      writer.close();
      const lines = await all(readLogRecords(logs));
      expect(lines.slice(-2)).toEqual([
        `slipway: ${100 - kept.length} log lines were dropped: ENOSPC`,
        "back",
      ]);
    } finally {
      execFileSync("umount", [mounted]);
      rmSync(mounted, { recursive: true, force: true });
    }
  });

  it("reads by time range, text and tail, skipping torn lines", async () => {
    const writer = new RotatingLogWriter(dir, { maxFileBytes: 150, maxFiles: 10 });
    for (let second = 0; second < 10; second++) {
      writer.write([record(second, second % 2 === 0 ? `even ${second}` : `odd ${second}`)]);
    }
    writer.close();
    appendFileSync(
      join(dir, `log-${String(listLogFiles(dir).at(-1)?.seq).padStart(6, "0")}.jsonl`),
      '{"at":"torn',
    );
    expect(await all(readLogRecords(dir, { since: new Date(at(7)) }))).toEqual(["odd 7", "even 8", "odd 9"]);
    expect(await all(readLogRecords(dir, { grep: "even" }))).toEqual([
      "even 0",
      "even 2",
      "even 4",
      "even 6",
      "even 8",
    ]);
    expect(await all(readLogRecords(dir, { grep: "odd", limit: 2 }))).toEqual(["odd 7", "odd 9"]);
    // `match` filters before the limit too: the last 2 lines it accepts, not 2 lines then a filter.
    const match = (entry: { line: string }) => entry.line.replace("even", "***").startsWith("***");
    expect(await all(readLogRecords(dir, { match, limit: 2 }))).toEqual(["even 6", "even 8"]);
    expect(await all(readLogRecords(dir, { limit: 0 }))).toEqual([]);
  });

  it("follows new lines across rotations until told to finish", async () => {
    const writer = new RotatingLogWriter(dir, { maxFileBytes: 120, maxFiles: 50 });
    writer.write([record(0, "before")]);
    let finished = false;
    const seen: string[] = [];
    const following = (async () => {
      for await (const entry of followLogRecords(dir, {
        limit: 1,
        pollIntervalMs: 10,
        isFinished: () => finished,
      })) {
        seen.push(entry.line);
      }
    })();
    for (let second = 1; second <= 8; second++) {
      writer.write([record(second, `after ${second}`)]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    writer.close();
    expect(listLogFiles(dir).length).toBeGreaterThan(3);
    finished = true;
    await following;
    expect(seen).toEqual(["before", ...Array.from({ length: 8 }, (_, index) => `after ${index + 1}`)]);
  });

  it("stops a follow promptly on abort", async () => {
    const controller = new AbortController();
    const following = all(followLogRecords(dir, { signal: controller.signal, pollIntervalMs: 5000 }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const began = Date.now();
    controller.abort();
    expect(await following).toEqual([]);
    expect(Date.now() - began).toBeLessThan(500);
  });
});
