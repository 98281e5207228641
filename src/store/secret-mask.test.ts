import { describe, expect, it } from "vitest";
import { secretMasker } from "./secret-mask.js";

describe("secretMasker", () => {
  it("masks every occurrence, longest secrets first", () => {
    const mask = secretMasker(["hunter2", "hunter2-extended", "abc"]);
    expect(mask("pw=hunter2-extended and hunter2 twice hunter2")).toBe("pw=*** and *** twice ***");
  });

  it("leaves values too short to be secrets alone, and text without secrets untouched", () => {
    const mask = secretMasker(["no", "s3cr3t-value"]);
    expect(mask("no problem")).toBe("no problem");
    expect(mask("nothing here")).toBe("nothing here");
  });
});
