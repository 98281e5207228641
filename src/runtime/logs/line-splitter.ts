/** One line cut from a byte stream. */
export interface SplitLine {
  /** The text, decoded as UTF-8 with invalid bytes replaced by U+FFFD, without the newline. */
  line: string;
  /** True when the line was longer than the limit: this piece continues in the next one. */
  truncated: boolean;
  /** Present on every piece of a long line but the first: it continues the previous one. */
  continued?: true;
}

/** Kubernetes' CRI cuts at 16 KiB, Docker at 16 KiB; 64 KiB keeps most JSON log lines whole. */
export const MAX_LINE_BYTES = 64 * 1024;

const NEWLINE = 0x0a;
const decoder = new TextDecoder("utf-8", { fatal: false });

/**
 * Cuts a byte stream into lines. A line longer than `maxLineBytes` is emitted in pieces of at
 * most that many bytes (cut on a character boundary), each but the last marked `truncated`,
 * so memory stays bounded whatever a process writes. Bytes that are not UTF-8 become U+FFFD.
 *
 * @example
 * const splitter = new LineSplitter();
 * splitter.push(Buffer.from("a\nb")); // [{ line: "a", truncated: false }]
 * splitter.end();                     // [{ line: "b", truncated: false }]
 */
export class LineSplitter {
  readonly #maxLineBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** The last piece emitted was cut: the next one continues it. */
  #continuing = false;

  constructor(maxLineBytes = MAX_LINE_BYTES) {
    this.#maxLineBytes = maxLineBytes;
  }

  /** Feeds a chunk; returns the lines it completed. */
  push(chunk: Buffer): SplitLine[] {
    const lines: SplitLine[] = [];
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline < 0 ? chunk.length : newline;
      this.#append(chunk.subarray(start, end), lines);
      if (newline < 0) {
        break;
      }
      lines.push(this.#piece(this.#take(this.#pendingBytes, true), false));
      start = newline + 1;
    }
    return lines;
  }

  /** Flushes a last line that had no newline. */
  end(): SplitLine[] {
    return this.#pendingBytes > 0 ? [this.#piece(this.#take(this.#pendingBytes, true), false)] : [];
  }

  #piece(line: string, truncated: boolean): SplitLine {
    const piece: SplitLine = this.#continuing ? { line, truncated, continued: true } : { line, truncated };
    this.#continuing = truncated;
    return piece;
  }

  #append(bytes: Buffer, lines: SplitLine[]): void {
    if (bytes.length === 0) {
      return;
    }
    this.#pending.push(bytes);
    this.#pendingBytes += bytes.length;
    while (this.#pendingBytes > this.#maxLineBytes) {
      const joined = this.#joinPending();
      const cut = characterBoundary(joined, this.#maxLineBytes);
      lines.push(this.#piece(this.#take(cut, false), true));
    }
  }

  /** Removes the first `byteCount` pending bytes and decodes them; a whole line loses its CR. */
  #take(byteCount: number, wholeLine: boolean): string {
    const joined = this.#joinPending();
    const taken = joined.subarray(0, byteCount);
    const rest = joined.subarray(byteCount);
    this.#pending = rest.length > 0 ? [rest] : [];
    this.#pendingBytes = rest.length;
    const end = wholeLine && taken[taken.length - 1] === 0x0d ? taken.length - 1 : taken.length;
    return decoder.decode(taken.subarray(0, end));
  }

  #joinPending(): Buffer {
    if (this.#pending.length !== 1) {
      this.#pending = [Buffer.concat(this.#pending, this.#pendingBytes)];
    }
    return this.#pending[0] ?? Buffer.alloc(0);
  }
}

/**
 * The largest cut position <= `limit` that does not split a UTF-8 character, so a long line
 * cut in pieces does not gain replacement characters. Falls back to `limit` for bytes that
 * are not UTF-8 anyway.
 */
function characterBoundary(bytes: Buffer, limit: number): number {
  for (let cut = limit; cut > limit - 4 && cut > 0; cut--) {
    const byte = bytes[cut];
    if (byte === undefined || (byte & 0xc0) !== 0x80) {
      return cut;
    }
  }
  return limit;
}
