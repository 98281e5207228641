import { describe, expect, it } from "vitest";
import { escapeControlChars } from "./control-chars.js";

describe("escapeControlChars", () => {
  it("shows an app's terminal escapes instead of letting them act", () => {
    expect(escapeControlChars("\x1b]0;PWNED-TITLE\x07\x1b[2J\x1b[31mfake: all good")).toBe(
      "\\x1b]0;PWNED-TITLE\\x07\\x1b[2J\\x1b[31mfake: all good",
    );
  });

  it("escapes every C0 control but tab, DEL and the C1 controls", () => {
    expect(escapeControlChars("\x00\x01\x08\t\n\r\x1f")).toBe("\\x00\\x01\\x08\t\\x0a\\x0d\\x1f");
    expect(escapeControlChars("a\x7fb\u0080c\u009bd\u009f")).toBe("a\\x7fb\\u0080c\\u009bd\\u009f");
  });

  it("escapes bidirectional overrides, which would reorder the text after them on screen", () => {
    expect(escapeControlChars("user\u202Enigol\u2066x\u2069")).toBe("user\\u202enigol\\u2066x\\u2069");
  });

  it("leaves printable text alone, Unicode included", () => {
    const text = "listening on 8080 — ✓ déjà vu ÿ \u00a0 日本";
    expect(escapeControlChars(text)).toBe(text);
    expect(escapeControlChars("")).toBe("");
  });
});
