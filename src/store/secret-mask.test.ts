import { describe, expect, it } from "vitest";
import { secretMasker } from "./secret-mask.js";

describe("secretMasker", () => {
  it("masks every occurrence, longest secrets first", () => {
    const mask = secretMasker(["hunter2", "hunter2-extended", "abc"]);
    expect(mask("pw=hunter2-extended and hunter2 twice hunter2")).toBe("pw=*** and *** twice ***");
  });

  it("masks each line of a multi-line secret, as log lines show it", () => {
    const pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n-----END KEY-----\n";
    const mask = secretMasker([pem]);
    expect(
      ["key follows:", "-----BEGIN KEY-----", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "-----END KEY-----"].map(
        mask,
      ),
    ).toEqual(["key follows:", "***", "***", "***"]);
    expect(mask(`whole: ${pem}`)).toBe("whole: ***");
  });

  it("leaves values too short to be secrets alone, and text without secrets untouched", () => {
    const mask = secretMasker(["no", "s3cr3t-value"]);
    expect(mask("no problem")).toBe("no problem");
    expect(mask("nothing here")).toBe("nothing here");
  });
});
