import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SecretBox, SecretBoxError } from "./secret-box.js";

let root: string;
let home: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "slipway-secretbox-"));
  home = join(root, "home");
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

describe("SecretBox.load with a key file", () => {
  it("creates <home>/secret.key on first start: 32 random bytes as base64, mode 0600", async () => {
    const box = await SecretBox.load({ home });
    expect(box.source).toBe("created");
    const file = join(home, "secret.key");
    expect(await modeOf(file)).toBe(0o600);
    expect(Buffer.from((await readFile(file, "utf8")).trim(), "base64")).toHaveLength(32);
    expect(box.keyId).toMatch(/^[0-9a-f]{8}$/);
    expect(box.warnings).toEqual([]);
  });

  it("reads the same key on the next start, so sealed values still open", async () => {
    const first = await SecretBox.load({ home });
    const sealed = first.seal("hunter2", "api/*/DB_PASSWORD");
    const second = await SecretBox.load({ home });
    expect(second.source).toBe("file");
    expect(second.keyId).toBe(first.keyId);
    expect(second.open(sealed, "api/*/DB_PASSWORD")).toBe("hunter2");
  });

  it("agrees on one key when several start at once", async () => {
    const boxes = await Promise.all(Array.from({ length: 8 }, () => SecretBox.load({ home })));
    expect(new Set(boxes.map((box) => box.keyId)).size).toBe(1);
    expect(boxes.filter((box) => box.source === "created")).toHaveLength(1);
  });

  it("resets a key file readable by others to 0600 and says so, without failing", async () => {
    const first = await SecretBox.load({ home });
    const file = join(home, "secret.key");
    await chmod(file, 0o644);
    const box = await SecretBox.load({ home });
    expect(box.keyFileModeRepaired).toBe(true);
    expect(box.warnings).toEqual([expect.stringContaining(`${file} was readable by other users`)]);
    expect(await modeOf(file)).toBe(0o600);
    expect(box.keyId).toBe(first.keyId);
    expect((await SecretBox.load({ home })).keyFileModeRepaired).toBe(false);
  });

  it("rejects a malformed key file, naming it, without echoing its content", async () => {
    await SecretBox.load({ home });
    const file = join(home, "secret.key");
    await writeFile(file, "not-a-key-at-all\n", { mode: 0o600 });
    const loading = SecretBox.load({ home });
    await expect(loading).rejects.toBeInstanceOf(SecretBoxError);
    await expect(loading).rejects.toThrow(`${file} is not a 32-byte key`);
    await expect(loading).rejects.not.toThrow(/not-a-key-at-all/);
  });
});

describe("SecretBox.load with SLIPWAY_SECRET_KEY", () => {
  const keyBytes = randomBytes(32);

  it("accepts 32 bytes as base64 or hex, the same key either way, and writes no key file", async () => {
    const fromBase64 = await SecretBox.load({ home, key: keyBytes.toString("base64") });
    const fromHex = await SecretBox.load({ home, key: keyBytes.toString("hex") });
    const fromBase64Url = await SecretBox.load({ home, key: keyBytes.toString("base64url") });
    expect(fromBase64.source).toBe("env");
    expect(fromHex.keyId).toBe(fromBase64.keyId);
    expect(fromBase64Url.keyId).toBe(fromBase64.keyId);
    expect(fromHex.open(fromBase64.seal("v", "c"), "c")).toBe("v");
    await expect(stat(join(home, "secret.key"))).rejects.toThrow(/ENOENT/);
  });

  it("prefers SLIPWAY_SECRET_KEY over an existing key file", async () => {
    const fileBox = await SecretBox.load({ home });
    const envBox = await SecretBox.load({ home, key: keyBytes.toString("base64") });
    expect(envBox.keyId).not.toBe(fileBox.keyId);
  });

  it.each([
    ["too short", randomBytes(16).toString("base64")],
    ["too long", randomBytes(48).toString("hex")],
    ["not base64", "!".repeat(44)],
    ["63 hex digits", keyBytes.toString("hex").slice(1)],
  ])("rejects a key that is %s, saying what is expected and never echoing it", async (_case, key) => {
    const loading = SecretBox.load({ home, key });
    await expect(loading).rejects.toMatchObject({ name: "SecretBoxError", code: "malformed_key" });
    await expect(loading).rejects.toThrow(
      /SLIPWAY_SECRET_KEY is not a 32-byte key: expected base64 \(44 characters\) or hex/,
    );
    const error = await loading.catch((caught: unknown) => caught);
    expect(String(error)).not.toContain(key);
  });
});

describe("seal and open", () => {
  const box = SecretBox.fromKey(randomBytes(32).toString("base64"));
  const context = "api/production/DB_PASSWORD";

  it("round-trips any text, and never seals the same value the same way twice", () => {
    for (const value of ["hunter2", "", "pässwörd ✓ 🚀", "x".repeat(100_000)]) {
      expect(box.open(box.seal(value, context), context)).toBe(value);
    }
    expect(box.seal("same", context)).not.toBe(box.seal("same", context));
  });

  it("writes v1:<keyId>:<base64> and the plaintext is nowhere in it", () => {
    const sealed = box.seal("correct horse battery staple", context);
    expect(sealed).toMatch(new RegExp(`^v1:${box.keyId}:[A-Za-z0-9+/]+=*$`));
    expect(sealed).not.toContain("correct horse");
    expect(Buffer.from(sealed.split(":")[2] ?? "", "base64").toString("latin1")).not.toContain(
      "correct horse",
    );
  });

  it("does not open under another context (a value copied to another secret)", () => {
    const sealed = box.seal("hunter2", context);
    expect(() => box.open(sealed, "api/staging/DB_PASSWORD")).toThrowError(
      expect.objectContaining({ name: "SecretBoxError", code: "cannot_open" }),
    );
    expect(() => box.open(sealed, "api/staging/DB_PASSWORD")).not.toThrow(/hunter2/);
  });

  it("does not open with another key, and says which key it needs", () => {
    const other = SecretBox.fromKey(randomBytes(32).toString("hex"));
    const sealed = box.seal("hunter2", context);
    expect(() => other.open(sealed, context)).toThrowError(
      expect.objectContaining({
        code: "wrong_key",
        message: expect.stringContaining(`sealed with key ${box.keyId}`),
      }),
    );
    // Even when the key id is forged to match, GCM refuses.
    const forged = sealed.replace(box.keyId, other.keyId);
    expect(() => other.open(forged, context)).toThrowError(expect.objectContaining({ code: "cannot_open" }));
  });

  it("detects tampering and malformed values", () => {
    const sealed = box.seal("hunter2", context);
    const [version, keyId, payload = ""] = sealed.split(":");
    const bytes = Buffer.from(payload, "base64");
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    expect(() => box.open(`${version}:${keyId}:${bytes.toString("base64")}`, context)).toThrowError(
      expect.objectContaining({ code: "cannot_open" }),
    );
    expect(() => box.open("plaintext", context)).toThrowError(
      expect.objectContaining({ code: "malformed_sealed" }),
    );
    expect(() => box.open(`v1:${box.keyId}:AAAA`, context)).toThrowError(
      expect.objectContaining({ code: "malformed_sealed" }),
    );
  });
});
