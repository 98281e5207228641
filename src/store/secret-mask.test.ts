import { describe, expect, it } from "vitest";
import { secretMasker } from "./secret-mask.js";

describe("secretMasker", () => {
  it("masks every occurrence, longest secrets first", () => {
    const mask = secretMasker(["hunter2", "hunter2-extended", "abc"]);
    expect(mask("pw=hunter2-extended and hunter2 twice hunter2")).toBe("pw=*** and *** twice ***");
  });

  it("masks each line of a multi-line secret, as log lines show it", () => {
    const pem = "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\r\n-----END KEY-----\n";
    const json =
      '{\n  "debug": false,\n  "private_key": "c2VjcmV0LWtleS1tYXRlcmlhbA==",\n  "region": "eu"\n}';
    const mask = secretMasker([pem, json]);
    // Key material is masked; the lines any config has are left alone, wherever they appear.
    expect(mask('  "private_key": "c2VjcmV0LWtleS1tYXRlcmlhbA==",')).toBe('  "private_key": "***",');
    expect(mask('{"debug": false, "region": "eu"}')).toBe('{"debug": false, "region": "eu"}');
    expect(
      ["key follows:", "-----BEGIN KEY-----", "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", "-----END KEY-----"].map(
        (line) => mask(line),
      ),
    ).toEqual(["key follows:", "-----BEGIN KEY-----", "***", "-----END KEY-----"]);
    expect(mask(`whole: ${pem}`)).toBe("whole: ***");
  });

  it("leaves values too short to be secrets alone, and text without secrets untouched", () => {
    const mask = secretMasker(["no", "s3cr3t-value"]);
    expect(mask("no problem")).toBe("no problem");
    expect(mask("nothing here")).toBe("nothing here");
  });

  it("masks what may be part of a secret at the cuts of a line stored in pieces", () => {
    const mask = secretMasker(["sup3rSecretValue"]);
    // The review's case: a 64 KiB cut through the value.
    expect(mask("AAAAsup3rS", { truncated: true })).toBe("AAAA***");
    expect(mask("ecretValue end", { continued: true })).toBe("*** end");
    // A piece cut at both ends, and one whose cut falls after a whole value.
    expect(mask("etValue middle sup", { truncated: true, continued: true })).toBe("*** middle ***");
    expect(mask("key sup3rSecretValue", { truncated: true })).toBe("key ***");
    // Text that cannot be part of the value is left alone, and whole lines are not touched at their ends.
    expect(mask("nothing to hide", { truncated: true, continued: true })).toBe("nothing to hide");
    expect(mask("ends in sup3r")).toBe("ends in sup3r");
  });
});
