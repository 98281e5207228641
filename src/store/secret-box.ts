import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = "v1";
const KEY_FILE_NAME = "secret.key";
const KEY_HINT = "Generate one with: openssl rand -base64 32";

/** Why a key could not be loaded or a sealed value could not be opened. */
export type SecretBoxErrorCode = "malformed_key" | "malformed_sealed" | "wrong_key" | "cannot_open";

/** A secret-store failure. Its message never contains a key or a plaintext. */
export class SecretBoxError extends Error {
  readonly code: SecretBoxErrorCode;

  constructor(code: SecretBoxErrorCode, message: string) {
    super(message);
    this.name = "SecretBoxError";
    this.code = code;
  }
}

/** Where to find the key. */
export interface SecretBoxOptions {
  /** The data directory: the key lives in `<home>/secret.key` unless `key` is given. */
  home: string;
  /** SLIPWAY_SECRET_KEY: 32 bytes as base64 (44 characters) or hex (64 characters). */
  key?: string;
}

/**
 * Seals secret values with AES-256-GCM. Each value is bound to a context (e.g.
 * `service/environment/name`) as additional authenticated data, so a sealed value copied onto
 * another secret's row does not open.
 *
 * @example
 * const box = await SecretBox.load({ home, key: process.env.SLIPWAY_SECRET_KEY });
 * const sealed = box.seal("hunter2", "api/production/DB_PASSWORD");
 * box.open(sealed, "api/production/DB_PASSWORD"); // "hunter2"
 */
export class SecretBox {
  readonly #key: Buffer;
  /** First 8 hex digits of SHA-256 of the key: names the key in sealed values, reveals nothing. */
  readonly keyId: string;
  /** Where the key came from: SLIPWAY_SECRET_KEY, an existing key file, or a key file just created. */
  readonly source: "env" | "file" | "created";
  /** True when the key file was readable by group or others and its mode was reset to 0600. */
  readonly keyFileModeRepaired: boolean;
  /** Things an operator should hear about (e.g. the repaired key file mode); never contain the key. */
  readonly warnings: readonly string[];

  private constructor(
    key: Buffer,
    source: SecretBox["source"],
    keyFileModeRepaired: boolean,
    warnings: string[],
  ) {
    this.#key = key;
    this.keyId = keyIdOf(key);
    this.source = source;
    this.keyFileModeRepaired = keyFileModeRepaired;
    this.warnings = Object.freeze([...warnings]);
  }

  /**
   * Loads the key from `key` (SLIPWAY_SECRET_KEY) or from `<home>/secret.key`, creating that file
   * (mode 0600, 32 random bytes as base64) on first start.
   */
  static async load(options: SecretBoxOptions): Promise<SecretBox> {
    const fromEnv = options.key?.trim() ?? "";
    if (fromEnv !== "") {
      return new SecretBox(decodeKey(fromEnv, "SLIPWAY_SECRET_KEY"), "env", false, []);
    }
    await mkdir(options.home, { recursive: true, mode: 0o700 });
    const file = join(options.home, KEY_FILE_NAME);
    const created = (await fileExists(file)) ? false : await createKeyFile(file);
    const repaired = await repairKeyFileMode(file);
    const key = decodeKey((await readFile(file, "utf8")).trim(), file);
    const warnings = repaired
      ? [
          `${file} was readable by other users; its mode was reset to 0600. Rotate the key if others may have read it.`,
        ]
      : [];
    return new SecretBox(key, created ? "created" : "file", repaired, warnings);
  }

  /** Builds a box around raw key bytes (tests, key rotation tools). */
  static fromKey(key: string): SecretBox {
    return new SecretBox(decodeKey(key.trim(), "the key"), "env", false, []);
  }

  /** Encrypts `plaintext` bound to `context`: `v1:<keyId>:<base64(iv ‖ ciphertext ‖ tag)>`. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    const payload = Buffer.concat([iv, ciphertext, cipher.getAuthTag()]).toString("base64");
    return `${FORMAT_VERSION}:${this.keyId}:${payload}`;
  }

  /** Decrypts a value sealed for `context`; throws {@link SecretBoxError} on a wrong key, context or tampering. */
  open(sealed: string, context: string): string {
    const [version, keyId, payload, ...extra] = sealed.split(":");
    if (version !== FORMAT_VERSION || keyId === undefined || payload === undefined || extra.length > 0) {
      throw new SecretBoxError(
        "malformed_sealed",
        `The sealed value for ${context} is not in the ${FORMAT_VERSION} format.`,
      );
    }
    if (keyId !== this.keyId) {
      throw new SecretBoxError(
        "wrong_key",
        `The secret ${context} was sealed with key ${keyId}, but the loaded key is ${this.keyId}. Start Slipway with the key it was sealed with (SLIPWAY_SECRET_KEY or the data dir's secret.key).`,
      );
    }
    const bytes = Buffer.from(payload, "base64");
    if (bytes.length < IV_BYTES + TAG_BYTES) {
      throw new SecretBoxError("malformed_sealed", `The sealed value for ${context} is truncated.`);
    }
    const decipher = createDecipheriv("aes-256-gcm", this.#key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    try {
      const plaintext = Buffer.concat([
        decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return plaintext.toString("utf8");
    } catch {
      // GCM cannot tell a wrong context from tampering; either way nothing decrypted is revealed.
      throw new SecretBoxError(
        "cannot_open",
        `The secret ${context} does not open: it was sealed for another secret or has been tampered with.`,
      );
    }
  }
}

/** Accepts 32 bytes as hex (64 characters) or base64/base64url (43–44 characters). */
function decodeKey(text: string, source: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(text)) {
    return Buffer.from(text, "hex");
  }
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}$/.test(text)) {
    const key = Buffer.from(text, text.includes("-") || text.includes("_") ? "base64url" : "base64");
    if (key.length === KEY_BYTES) {
      return key;
    }
  }
  throw new SecretBoxError(
    "malformed_key",
    `${source} is not a 32-byte key: expected base64 (44 characters) or hex (64 characters), found ${text.length} characters. ${KEY_HINT}`,
  );
}

function keyIdOf(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8);
}

/**
 * Creates the key file on first start. The key is written to a private temporary file and then
 * hard-linked into place, which fails if the file exists: two processes starting at once agree on
 * one key, and neither ever reads a half-written file.
 */
async function createKeyFile(file: string): Promise<boolean> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, `${randomBytes(KEY_BYTES).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    await link(temporary, file);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === "EEXIST") {
      return false;
    }
    throw error;
  } finally {
    await rm(temporary, { force: true });
  }
}

async function repairKeyFileMode(file: string): Promise<boolean> {
  const { mode } = await stat(file);
  if ((mode & 0o077) === 0) {
    return false;
  }
  await chmod(file, 0o600);
  return true;
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (isErrnoException(error) && error.code === "ENOENT") {
      return false;
    }
    throw error;
  }
}

function isErrnoException(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && "code" in error;
}
