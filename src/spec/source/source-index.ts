import type { SpecPath } from "../spec-error.js";

/** Where one value, and its key when it has one, start in the source text (UTF-16 offsets). */
interface NodeOffsets {
  key?: number;
  value: number;
}

/**
 * Maps key paths of the converted data back to source offsets, so an error found in the data can name
 * the line and column of the YAML node it came from.
 */
export class SourceIndex {
  readonly #offsets = new Map<string, NodeOffsets>();

  /** Records where the value at `path` (and its key) starts. */
  record(path: SpecPath, value: number, key?: number): void {
    this.#offsets.set(pathKey(path), key === undefined ? { value } : { key, value });
  }

  /**
   * Offset for an error at `path`. `at: "key"` prefers the key (unknown or badly named keys); otherwise the
   * value. A path that does not exist (a missing key) falls back to its closest existing parent.
   */
  offsetOf(path: SpecPath, at: "key" | "value"): number {
    const exact = this.#offsets.get(pathKey(path));
    if (exact) {
      return at === "key" ? (exact.key ?? exact.value) : exact.value;
    }
    for (let length = path.length - 1; length >= 0; length--) {
      const parent = this.#offsets.get(pathKey(path.slice(0, length)));
      if (parent) {
        return parent.value;
      }
    }
    return 0;
  }
}

function pathKey(path: SpecPath): string {
  return JSON.stringify(path);
}
