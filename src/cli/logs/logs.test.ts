import { describe, expect, it } from "vitest";
import { createColors } from "../output/colors.js";
import type { LogLine } from "../run-api-schemas.js";
import { formatLogLine, formatLogTime } from "./format-log-line.js";
import { isRepeat, SeenLines } from "./seen-lines.js";

const plain = createColors(false);

function line(at: string, text: string, replica = "r-1"): LogLine {
  return { at, stream: "stdout", replica, line: text };
}

describe("formatLogLine", () => {
  it("prints TIME REPLICA STREAM text, highlighting stderr on a terminal", () => {
    const at = "2025-01-31T14:05:09.120Z";
    expect(formatLogLine(line(at, "listening on 8080"), plain)).toBe(
      `${formatLogTime(at)} r-1 stdout listening on 8080`,
    );
    expect(formatLogTime(at)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.120$/);
    const error = formatLogLine({ ...line(at, "boom"), stream: "stderr" }, createColors(true));
    expect(error).toContain("\u001b[33mboom");
    expect(formatLogLine({ ...line(at, "x"), replica: null, truncated: true }, plain)).toMatch(
      / build stdout x \[truncated\]$/,
    );
  });
});

describe("formatLogLine with an app's control characters", () => {
  it("shows them as \\x1b instead of letting them reach the terminal, tabs kept", () => {
    const at = "2025-01-31T14:05:09.120Z";
    expect(formatLogLine(line(at, "\x1b]0;PWNED\x07\x1b[2J\tfake\u009b"), plain)).toBe(
      `${formatLogTime(at)} r-1 stdout \\x1b]0;PWNED\\x07\\x1b[2J\tfake\\u009b`,
    );
    const error = formatLogLine({ ...line(at, "\x1b[31mboom"), stream: "stderr" }, createColors(true));
    expect(error).toContain("\u001b[33m\\x1b[31mboom");
  });
});

describe("SeenLines", () => {
  it("lets a reopened stream repeat nothing already shown, and lose nothing new", () => {
    const seen = new SeenLines();
    seen.record(line("2025-01-31T14:00:00.000Z", "a"));
    seen.record(line("2025-01-31T14:00:01.000Z", "b"));
    seen.record(line("2025-01-31T14:00:01.000Z", "c", "r-2"));
    const cursor = seen.cursor();
    expect(cursor.since).toBe("2025-01-31T14:00:01.000Z");
    expect(isRepeat(line("2025-01-31T14:00:00.000Z", "a"), cursor)).toBe(true);
    expect(isRepeat(line("2025-01-31T14:00:01.000Z", "b"), cursor)).toBe(true);
    expect(isRepeat(line("2025-01-31T14:00:01.000Z", "c", "r-2"), cursor)).toBe(true);
    expect(isRepeat(line("2025-01-31T14:00:01.000Z", "d"), cursor)).toBe(false);
    expect(isRepeat(line("2025-01-31T14:00:02.000Z", "e"), cursor)).toBe(false);
  });

  it("treats everything as new before anything was shown", () => {
    expect(isRepeat(line("2025-01-31T14:00:00.000Z", "a"), new SeenLines().cursor())).toBe(false);
  });
});
