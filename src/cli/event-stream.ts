import { type EventRecord, eventRecord } from "./api-schemas.js";
import type { ApiClient } from "./http-client.js";
import { ApiError } from "./http-errors.js";
import { SseParser } from "./sse-parser.js";

/** Options of {@link followEvents}. */
export interface FollowOptions {
  query: { service?: string | undefined; kind?: string | undefined };
  /** Resume after this event sequence number (sent as Last-Event-ID). */
  after?: string | undefined;
  signal?: AbortSignal;
  onEvent: (event: EventRecord) => void;
  /** Called when the connection drops and when it is back. */
  onConnectionChange?: (state: "lost" | "restored") => void;
  /** Called for a message that is not a valid event (skipped). */
  onInvalid?: (data: string) => void;
  /** Wait before reconnecting, unless the server asked otherwise with `retry:`. */
  reconnectDelayMs?: number;
}

/**
 * Follows `/api/v1/events/stream` until `signal` aborts: prints nothing itself, hands each event to
 * `onEvent`, and reconnects after a drop with Last-Event-ID so no event is missed or repeated.
 * The first connection's failure is thrown (the server is unreachable or refused us); after that,
 * connection errors are retried, while 4xx answers (e.g. the token was revoked) are thrown.
 */
export async function followEvents(client: ApiClient, options: FollowOptions): Promise<void> {
  const parser = new SseParser();
  parser.lastEventId = options.after ?? "";
  let connectedOnce = false;
  let lost = false;
  while (!options.signal?.aborted) {
    try {
      const response = await client.openStream("/api/v1/events/stream", {
        query: options.query,
        ...(parser.lastEventId === "" ? {} : { lastEventId: parser.lastEventId }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      connectedOnce = true;
      if (lost) {
        lost = false;
        options.onConnectionChange?.("restored");
      }
      await readStream(response, parser, options);
    } catch (error) {
      if (options.signal?.aborted) {
        return;
      }
      if (!connectedOnce || (error instanceof ApiError && error.status < 500)) {
        throw error;
      }
    }
    if (options.signal?.aborted) {
      return;
    }
    if (!lost) {
      lost = true;
      options.onConnectionChange?.("lost");
    }
    await delay(parser.retryMs ?? options.reconnectDelayMs ?? 2000, options.signal);
  }
}

async function readStream(response: Response, parser: SseParser, options: FollowOptions): Promise<void> {
  if (!response.body) {
    return;
  }
  const decoder = new TextDecoder();
  for await (const chunk of response.body) {
    for (const message of parser.push(decoder.decode(chunk, { stream: true }))) {
      const event = parseEvent(message.data);
      if (event) {
        options.onEvent(event);
      } else {
        options.onInvalid?.(message.data);
      }
    }
  }
}

function parseEvent(data: string): EventRecord | undefined {
  try {
    const result = eventRecord.safeParse(JSON.parse(data));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
