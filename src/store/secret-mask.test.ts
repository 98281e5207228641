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
        mask,
      ),
    ).toEqual(["key follows:", "-----BEGIN KEY-----", "***", "-----END KEY-----"]);
    expect(mask(`whole: ${pem}`)).toBe("whole: ***");
  });

  it("leaves values too short to be secrets alone, and text without secrets untouched", () => {
    const mask = secretMasker(["no", "s3cr3t-value"]);
    expect(mask("no problem")).toBe("no problem");
    expect(mask("nothing here")).toBe("nothing here");
  });
});
