import type { LogLine } from "../run-api-schemas.js";

/** Where printing had got to when a stream was (re)opened. */
export interface LogCursor {
  /** Milliseconds of the newest line printed (undefined: nothing yet). */
  at: number | undefined;
  /** The same time as the server wrote it, for `since=`. */
  since: string | undefined;
  /** The lines printed at exactly that time. */
  keysAt: ReadonlySet<string>;
}

/**
 * Remembers the newest lines printed, so a stream reopened "since" that time repeats nothing.
 * Only lines up to the cursor taken at connection are compared: a live stream may deliver lines
 * of different replicas slightly out of time order, and those must all be shown.
 */
export class SeenLines {
  #at: number | undefined;
  #since: string | undefined;
  #keysAt = new Set<string>();

  /** Notes a printed line. */
  record(line: LogLine): void {
    const at = Date.parse(line.at);
    if (Number.isNaN(at) || (this.#at !== undefined && at < this.#at)) {
      return;
    }
    if (at !== this.#at) {
      this.#at = at;
      this.#since = line.at;
      this.#keysAt = new Set();
    }
    this.#keysAt.add(lineKey(line));
  }

  /** A snapshot to filter a (re)opened stream with. */
  cursor(): LogCursor {
    return { at: this.#at, since: this.#since, keysAt: new Set(this.#keysAt) };
  }
}

/** Whether a line at or before the cursor was printed already. */
export function isRepeat(line: LogLine, cursor: LogCursor): boolean {
  const at = Date.parse(line.at);
  if (cursor.at === undefined || Number.isNaN(at)) {
    return false;
  }
  return at < cursor.at || (at === cursor.at && cursor.keysAt.has(lineKey(line)));
}

function lineKey(line: LogLine): string {
  return `${line.replica ?? ""}\u0000${line.stream}\u0000${line.line}`;
}
