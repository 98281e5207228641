import { describe, expect, it } from "vitest";
import { SseParser } from "./sse-parser.js";

describe("SseParser", () => {
  it("dispatches an event at the blank line, with its id, type and data", () => {
    const parser = new SseParser();
    expect(parser.push('id: 7\nevent: secret.set\ndata: {"seq":7}\n\n')).toEqual([
      { event: "secret.set", data: '{"seq":7}', lastEventId: "7" },
    ]);
  });

  it("joins data lines with newlines and defaults the type to message", () => {
    const parser = new SseParser();
    expect(parser.push("data: one\ndata:two\ndata:  three\n\n")).toEqual([
      { event: "message", data: "one\ntwo\n three", lastEventId: "" },
    ]);
  });

  it("ignores comments (heartbeats) and unknown fields, and events without data", () => {
    const parser = new SseParser();
    expect(parser.push(": connected\n\n: heartbeat\n\nfoo: bar\nevent: x\n\n")).toEqual([]);
  });

  it("keeps events whole across arbitrary chunk boundaries", () => {
    const stream = "id: 1\nevent: a\ndata: first\n\nid: 2\ndata: second\n\n";
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const parser = new SseParser();
      const messages = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))];
      expect(messages.map((m) => [m.lastEventId, m.event, m.data])).toEqual([
        ["1", "a", "first"],
        ["2", "message", "second"],
      ]);
    }
  });

  it("accepts CRLF and lone CR line endings, including a CRLF split between chunks", () => {
    const parser = new SseParser();
    const messages = [...parser.push("data: a\r"), ...parser.push("\n\r\ndata: b\r\r")];
    expect(messages.map((m) => m.data)).toEqual(["a", "b"]);
  });

  it("keeps the last id across events, ignores ids with NUL, and reads retry", () => {
    const parser = new SseParser();
    parser.push("id: 5\ndata: x\n\n");
    expect(parser.push("data: y\n\n")[0]?.lastEventId).toBe("5");
    parser.push("id: bad\0id\ndata: z\n\n");
    expect(parser.lastEventId).toBe("5");
    parser.push("retry: 1500\nretry: soon\n\n");
    expect(parser.retryMs).toBe(1500);
  });

  it("does not dispatch an unfinished event", () => {
    const parser = new SseParser();
    expect(parser.push("data: partial\n")).toEqual([]);
    expect(parser.push("\n")).toEqual([{ event: "message", data: "partial", lastEventId: "" }]);
  });

  it("treats a field without a colon as a field with an empty value", () => {
    const parser = new SseParser();
    expect(parser.push("data\ndata\n\n")).toEqual([{ event: "message", data: "\n", lastEventId: "" }]);
  });
});
