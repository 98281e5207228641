import { setTimeout } from "node:timers/promises";
import type { ApiClient } from "../http-client.js";
import { ApiError } from "../http-errors.js";
import { type LogLine, logLine } from "../run-api-schemas.js";
import { sseMessages } from "../sse-messages.js";
import { isRepeat, type SeenLines } from "./seen-lines.js";

/** Options of {@link followLogs}. */
export interface FollowLogsOptions {
  path: string;
  /** The filters (environment, grep, replica); `since` is managed here. */
  query: Record<string, string | undefined>;
  /** What was printed before following: the stream resumes after it. */
  seen: SeenLines;
  onLine: (line: LogLine) => void;
  onConnectionChange?: (state: "lost" | "restored") => void;
  signal?: AbortSignal;
  reconnectDelayMs?: number;
}

/**
 * Follows a service's log stream (`?follow=true`, server-sent events) until `signal` aborts,
 * reconnecting after a drop from the last line shown, so nothing is lost or printed twice.
 * A refusal (4xx) or a first connection that fails is thrown.
 */
export async function followLogs(client: ApiClient, options: FollowLogsOptions): Promise<void> {
  let connectedOnce = false;
  let lost = false;
  while (!options.signal?.aborted) {
    const cursor = options.seen.cursor();
    try {
      const response = await client.openStream(options.path, {
        query: { ...options.query, follow: true, since: cursor.since ?? options.query.since },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      connectedOnce = true;
      if (lost) {
        lost = false;
        options.onConnectionChange?.("restored");
      }
      for await (const message of sseMessages(response)) {
        const line = message.event === "log" ? parseLine(message.data) : undefined;
        if (line && !isRepeat(line, cursor)) {
          options.seen.record(line);
          options.onLine(line);
        }
      }
    } catch (error) {
      if (options.signal?.aborted) {
        return;
      }
      if (!connectedOnce || (error instanceof ApiError && error.status < 500)) {
        throw error;
      }
    }
    if (!lost) {
      lost = true;
      options.onConnectionChange?.("lost");
    }
    await setTimeout(options.reconnectDelayMs ?? 2000, undefined, {
      ...(options.signal ? { signal: options.signal } : {}),
    }).catch(() => undefined);
  }
}

function parseLine(data: string): LogLine | undefined {
  try {
    const result = logLine.safeParse(JSON.parse(data));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}
