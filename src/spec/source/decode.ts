import { firstInvalidUtf8Offset } from "./utf8.js";

/** Largest slipway.yaml we read: far above any real spec, small enough to parse in well under a second. */
export const MAX_SPEC_BYTES = 1024 * 1024;

/** A problem with the raw bytes, before any YAML is parsed. Line and column are 0 for the whole file. */
export interface SourceProblem {
  line: number;
  column: number;
  message: string;
  hint?: string;
}

export type DecodedSource = { ok: true; text: string } | { ok: false; problem: SourceProblem };

/** The size-limit problem, shared with the file reader, which checks the size before reading. */
export function tooLargeProblem(bytes: number): SourceProblem {
  return {
    line: 0,
    column: 0,
    message: `the file is ${formatBytes(bytes)}, more than the ${formatBytes(MAX_SPEC_BYTES)} a spec may be`,
    hint: "a slipway.yaml describes one service and is a few kilobytes; is this the right file?",
  };
}

/**
 * Checks the size and decodes UTF-8 strictly. A bad byte is reported at its line and column (counted in
 * UTF-16 units, as editors count) so the user can find it.
 */
export function decodeSource(source: string | Uint8Array): DecodedSource {
  const bytes = typeof source === "string" ? Buffer.byteLength(source, "utf8") : source.byteLength;
  if (bytes > MAX_SPEC_BYTES) {
    return { ok: false, problem: tooLargeProblem(bytes) };
  }
  if (typeof source === "string") {
    return { ok: true, text: source };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(source) };
  } catch {
    return { ok: false, problem: invalidUtf8Problem(source) };
  }
}

function invalidUtf8Problem(bytes: Uint8Array): SourceProblem {
  const offset = firstInvalidUtf8Offset(bytes);
  const before = new TextDecoder("utf-8").decode(bytes.subarray(0, offset));
  const lineStart = before.lastIndexOf("\n") + 1;
  const byte = bytes[offset] ?? 0;
  return {
    line: before.split("\n").length,
    column: before.length - lineStart + 1,
    message: `the file is not valid UTF-8: byte 0x${byte.toString(16).padStart(2, "0")} at offset ${offset}`,
    hint: "save the file as UTF-8 (it may be Latin-1 or UTF-16)",
  };
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  }
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} bytes`;
}
