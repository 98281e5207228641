import { describe, expect, it } from "vitest";
import { createColors } from "../output/colors.js";
import { formatEventLine, truncationNote } from "./events.js";

describe("truncationNote", () => {
  it("says how many of the latest events are shown, and how to see more", () => {
    expect(truncationNote(100, "30m")).toBe(
      "showing the latest 100 events since 30m; --limit N (up to 1000) shows more",
    );
    expect(truncationNote(1, undefined)).toBe(
      "showing the latest 1 event; --limit N (up to 1000) shows more",
    );
    expect(truncationNote(1000, "1d")).toBe(
      "showing the latest 1000 events since 1d; narrow it with --since, --service or --kind to see the rest",
    );
  });
});

describe("formatEventLine", () => {
  it("shows control characters in a message rather than sending them to the terminal", () => {
    const line = formatEventLine(
      { seq: 1, at: "not a time", kind: "replica.exited", message: "said \x1b[2J" },
      createColors(false),
    );
    expect(line).toBe("not a time  replica.exited  said \\x1b[2J");
  });
});
