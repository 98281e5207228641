/** One server-sent event, as dispatched by {@link SseParser}. */
export interface SseMessage {
  /** The `event:` field, `message` when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
  /** The last event id seen so far in the stream (it persists across events, as in EventSource). */
  lastEventId: string;
}

/**
 * An incremental `text/event-stream` parser following the WHATWG rules: lines end in CRLF, LF or
 * CR (even split across chunks); `:` lines are comments (heartbeats); a blank line dispatches the
 * event; `data` lines accumulate; an `id` containing NUL is ignored; `retry` must be digits.
 *
 * @example
 * const parser = new SseParser();
 * parser.push("id: 7\nevent: service.updated\ndata: {}\n\n"); // [{ event: "service.updated", data: "{}", lastEventId: "7" }]
 */
export class SseParser {
  /** The reconnection delay the server asked for with `retry:`, if it did. */
  retryMs: number | undefined;
  lastEventId = "";
  #buffer = "";
  #pendingCarriageReturn = false;
  #eventType = "";
  #data: string[] = [];

  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseMessage[] {
    const messages: SseMessage[] = [];
    let input = text;
    // A CR that ended the previous chunk already ended its line; a LF right after it is its other half.
    if (this.#pendingCarriageReturn && input.startsWith("\n")) {
      input = input.slice(1);
    }
    this.#pendingCarriageReturn = false;
    this.#buffer += input;
    let start = 0;
    for (let index = 0; index < this.#buffer.length; index += 1) {
      const char = this.#buffer[index];
      if (char !== "\n" && char !== "\r") {
        continue;
      }
      const message = this.#line(this.#buffer.slice(start, index));
      if (message) {
        messages.push(message);
      }
      if (char === "\r") {
        if (index + 1 === this.#buffer.length) {
          this.#pendingCarriageReturn = true;
        } else if (this.#buffer[index + 1] === "\n") {
          index += 1;
        }
      }
      start = index + 1;
    }
    this.#buffer = this.#buffer.slice(start);
    return messages;
  }

  #line(line: string): SseMessage | undefined {
    if (line === "") {
      return this.#dispatch();
    }
    if (line.startsWith(":")) {
      return undefined;
    }
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) {
      value = value.slice(1);
    }
    switch (field) {
      case "event":
        this.#eventType = value;
        break;
      case "data":
        this.#data.push(value);
        break;
      case "id":
        if (!value.includes("\0")) {
          this.lastEventId = value;
        }
        break;
      case "retry":
        if (/^\d+$/.test(value)) {
          this.retryMs = Number(value);
        }
        break;
      default:
        // Unknown fields are ignored, as the specification requires.
        break;
    }
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    const data = this.#data;
    const event = this.#eventType || "message";
    this.#data = [];
    this.#eventType = "";
    if (data.length === 0) {
      return undefined;
    }
    return { event, data: data.join("\n"), lastEventId: this.lastEventId };
  }
}
