import { describe, expect, it } from "vitest";
import { LineSplitter, MAX_LINE_BYTES } from "./line-splitter.js";

describe("LineSplitter", () => {
  it("splits on newlines across chunk boundaries and drops CR of CRLF", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from("one\ntw"))).toEqual([{ line: "one", truncated: false }]);
    expect(splitter.push(Buffer.from("o\r\nthree\n\n"))).toEqual([
      { line: "two", truncated: false },
      { line: "three", truncated: false },
      { line: "", truncated: false },
    ]);
    expect(splitter.push(Buffer.from("tail"))).toEqual([]);
    expect(splitter.end()).toEqual([{ line: "tail", truncated: false }]);
    expect(splitter.end()).toEqual([]);
  });

  it("cuts a long line into pieces of at most the limit, all but the last marked truncated", () => {
    const splitter = new LineSplitter(10);
    const lines = [...splitter.push(Buffer.from("a".repeat(25))), ...splitter.push(Buffer.from("\nnext\n"))];
    expect(lines).toEqual([
      { line: "a".repeat(10), truncated: true },
      { line: "a".repeat(10), truncated: true, continued: true },
      { line: "a".repeat(5), truncated: false, continued: true },
      { line: "next", truncated: false },
    ]);
  });

  it("never cuts a UTF-8 character in two", () => {
    const splitter = new LineSplitter(10);
    // "é" is two bytes: a cut at byte 10 would fall inside the fifth one.
    const lines = splitter.push(Buffer.from(`abcdefghi${"é".repeat(3)}\n`));
    expect(lines.map((piece) => piece.line)).toEqual(["abcdefghi", "ééé"]);
    expect(lines.map((piece) => piece.line).join("")).not.toContain("\uFFFD");
  });

  it("replaces bytes that are not UTF-8 with U+FFFD", () => {
    const splitter = new LineSplitter();
    expect(splitter.push(Buffer.from([0x6f, 0x6b, 0xff, 0xc3, 0x28, 0x0a]))).toEqual([
      { line: "ok\uFFFD\uFFFD(", truncated: false },
    ]);
  });

  it("keeps memory bounded for a 1 MB line fed in small chunks", () => {
    const splitter = new LineSplitter();
    const pieces = [];
    for (let i = 0; i < 256; i++) {
      pieces.push(...splitter.push(Buffer.alloc(4096, 0x78)));
    }
    pieces.push(...splitter.push(Buffer.from("\n")));
    expect(pieces).toHaveLength((1024 * 1024) / MAX_LINE_BYTES);
    expect(pieces.map((piece) => piece.line.length)).toEqual(Array(16).fill(MAX_LINE_BYTES));
  });
});
