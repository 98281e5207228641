import {
  type Alias,
  type Document,
  isAlias,
  isMap,
  isNode,
  isScalar,
  isSeq,
  type Scalar,
  type YAMLMap,
  type YAMLSeq,
} from "yaml";
import type { SpecPath } from "../spec-error.js";
import { SourceIndex } from "./source-index.js";

/** A problem found while turning YAML nodes into data, at a source offset. */
export interface ConversionProblem {
  path: SpecPath;
  offset: number;
  message: string;
  hint?: string;
}

export interface ConversionResult {
  /** undefined when conversion had to stop (alias bomb, nesting too deep). */
  data: unknown;
  index: SourceIndex;
  problems: ConversionProblem[];
}

/**
 * yaml's own `maxAliasCount` default. We expand aliases ourselves (to keep positions), so we apply the
 * same limit: an alias bomb stops here instead of eating memory.
 */
export const MAX_ALIAS_COUNT = 100;
/** Values produced by expanding aliases, in total. Shared env blocks and the like stay far below. */
export const MAX_ALIAS_VALUES = 10_000;
/** Real specs nest about 6 levels; this stops pathological nesting long before the stack would. */
export const MAX_DEPTH = 64;

class ConversionStopped extends Error {}

export interface ConversionOptions {
  /**
   * Names the string-valued maps (env, labels) whose numbers and booleans keep the text the user wrote:
   * YAML would turn `ZIP: 01234` into 1234 and `VERSION: 1.10` into 1.1.
   */
  keepsWrittenText: (path: SpecPath) => boolean;
  /** 1-based line of a source offset, for hints that point elsewhere in the file. */
  lineOf: (offset: number) => number;
}

/**
 * Converts a parsed YAML document to plain data while recording where each value came from, reporting
 * duplicate and non-scalar keys by path, and expanding aliases within limits.
 */
export function yamlToData(doc: Document.Parsed, options: ConversionOptions): ConversionResult {
  const converter = new YamlConverter(doc, options);
  const offset = startOf(doc.contents, 0);
  converter.index.record([], offset);
  try {
    const data = converter.convert(doc.contents, [], offset);
    return { data, index: converter.index, problems: converter.problems };
  } catch (error) {
    if (error instanceof ConversionStopped) {
      return { data: undefined, index: converter.index, problems: converter.problems };
    }
    throw error;
  }
}

class YamlConverter {
  readonly index = new SourceIndex();
  readonly problems: ConversionProblem[] = [];
  #aliases = 0;
  #aliasValues = 0;
  #aliasDepth = 0;
  readonly #open = new Set<unknown>();

  constructor(
    private readonly doc: Document.Parsed,
    private readonly options: ConversionOptions,
  ) {}

  convert(node: unknown, path: SpecPath, offset: number): unknown {
    if (path.length > MAX_DEPTH) {
      this.#stop(path, offset, `nested more than ${MAX_DEPTH} levels deep`);
    }
    if (this.#aliasDepth > 0 && ++this.#aliasValues > MAX_ALIAS_VALUES) {
      this.#stop(
        path,
        offset,
        `aliases expand to more than ${MAX_ALIAS_VALUES} values`,
        "this looks like an alias bomb",
      );
    }
    if (isAlias(node)) {
      return this.#alias(node, path, offset);
    }
    if (isScalar(node)) {
      return this.#scalar(node, path, offset);
    }
    if (isMap(node) || isSeq(node)) {
      this.#open.add(node);
      try {
        return isMap(node) ? this.#map(node, path) : this.#seq(node, path);
      } finally {
        this.#open.delete(node);
      }
    }
    return null;
  }

  #scalar(node: Scalar, path: SpecPath, offset: number): unknown {
    const { value } = node;
    if (value === null || typeof value === "string") {
      return value;
    }
    if (typeof value === "number" || typeof value === "boolean") {
      const written = node.type === "PLAIN" ? node.source : undefined;
      return written !== undefined && this.options.keepsWrittenText(path) ? written : value;
    }
    this.#report(path, offset, "unsupported YAML value: use a plain string, number or boolean");
    return node.source ?? null;
  }

  #map(node: YAMLMap, path: SpecPath): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    const firstOffsets = new Map<string, number>();
    for (const pair of node.items) {
      const keyOffset = startOf(pair.key, startOf(node, 0));
      const key = this.#keyName(pair.key, path, keyOffset);
      if (key === undefined) {
        continue;
      }
      const childPath = [...path, key];
      const first = firstOffsets.get(key);
      if (first !== undefined) {
        const line = this.options.lineOf(first);
        this.#report(childPath, keyOffset, "duplicate key", `it is already set on line ${line}; keep one`);
        continue;
      }
      firstOffsets.set(key, keyOffset);
      const valueOffset = hasContent(pair.value) ? startOf(pair.value, keyOffset) : keyOffset;
      this.index.record(childPath, valueOffset, keyOffset);
      // defineProperty, not assignment: a "__proto__" key must become data, not a prototype.
      Object.defineProperty(result, key, {
        value: this.convert(pair.value, childPath, valueOffset),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return result;
  }

  #seq(node: YAMLSeq, path: SpecPath): unknown[] {
    return node.items.map((item, position) => {
      const itemPath = [...path, position];
      const itemOffset = startOf(item, startOf(node, 0));
      this.index.record(itemPath, itemOffset);
      return this.convert(item, itemPath, itemOffset);
    });
  }

  #keyName(key: unknown, path: SpecPath, offset: number): string | undefined {
    if (isScalar(key)) {
      return typeof key.value === "string" ? key.value : (key.source ?? String(key.value));
    }
    const found = isMap(key) ? "a mapping" : isSeq(key) ? "a list" : isAlias(key) ? "an alias" : "nothing";
    this.#report(path, offset, `expected a plain key, found ${found}`);
    return undefined;
  }

  #alias(alias: Alias, path: SpecPath, offset: number): unknown {
    if (++this.#aliases > MAX_ALIAS_COUNT) {
      this.#stop(path, offset, `more than ${MAX_ALIAS_COUNT} aliases`, "this looks like an alias bomb");
    }
    const target = alias.resolve(this.doc);
    if (!target) {
      this.#report(path, offset, `unknown alias *${alias.source}`, `define &${alias.source} before using it`);
      return null;
    }
    if (this.#open.has(target)) {
      this.#report(path, offset, `alias *${alias.source} refers to a value that contains it`);
      return null;
    }
    this.#aliasDepth++;
    try {
      return this.convert(target, path, offset);
    } finally {
      this.#aliasDepth--;
    }
  }

  #report(path: SpecPath, offset: number, message: string, hint?: string): void {
    this.problems.push({ path, offset, message, ...(hint === undefined ? {} : { hint }) });
  }

  #stop(path: SpecPath, offset: number, message: string, hint?: string): never {
    this.#report(path, offset, message, hint);
    throw new ConversionStopped(message);
  }
}

function startOf(node: unknown, fallback: number): number {
  return isNode(node) ? (node.range?.[0] ?? fallback) : fallback;
}

/** `key:` with nothing after it parses as an empty scalar; its position is the key's. */
function hasContent(node: unknown): boolean {
  const range = isNode(node) ? node.range : undefined;
  return range !== undefined && range !== null && range[1] > range[0];
}
