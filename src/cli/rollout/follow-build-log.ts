import { setTimeout } from "node:timers/promises";
import { z } from "zod";
import { apiPath } from "../api-path.js";
import type { ApiClient } from "../http-client.js";
import { buildLogEnd, logLine } from "../run-api-schemas.js";
import { sseMessages } from "../sse-messages.js";

/** How a build ended. */
export interface BuildResult {
  status: string;
  reason: string | null;
}

/** A build-log line as printed. */
export interface BuildLogLine {
  stream: string;
  line: string;
}

const buildLogSnapshot = z.object({
  lines: z.array(logLine),
  status: z.string(),
  reason: z.string().nullable().optional(),
});

/**
 * Follows a release's build log (server-sent events) until its `end` message, handing each line
 * to `onLine` once. When the connection drops, the plain build log says how far it got: its
 * missing lines are printed, and the stream is reopened past them unless the build is over.
 */
export async function followBuildLog(
  client: ApiClient,
  options: { service: string; version: number; onLine: (line: BuildLogLine) => void; signal: AbortSignal },
): Promise<BuildResult> {
  const path = apiPath("services", options.service, "releases", String(options.version), "build-log");
  let printed = 0;
  while (!options.signal.aborted) {
    let seen = 0;
    try {
      const response = await client.openStream(path, { query: { follow: true }, signal: options.signal });
      for await (const message of sseMessages(response)) {
        if (message.event === "end") {
          const end = buildLogEnd.parse(JSON.parse(message.data));
          return { status: end.status, reason: end.reason ?? null };
        }
        if (message.event === "log") {
          seen += 1;
          if (seen > printed) {
            options.onLine(logLine.parse(JSON.parse(message.data)));
            printed = seen;
          }
        }
      }
    } catch (error) {
      if (options.signal.aborted) {
        break;
      }
      if (printed === 0 && seen === 0) {
        throw error;
      }
    }
    if (options.signal.aborted) {
      break;
    }
    const snapshot = await client.get(path, buildLogSnapshot, { quiet: true });
    for (const line of snapshot.lines.slice(printed)) {
      options.onLine(line);
    }
    printed = Math.max(printed, snapshot.lines.length);
    if (snapshot.status !== "building") {
      return { status: snapshot.status, reason: snapshot.reason ?? null };
    }
    // The server closed the stream early: do not hammer it.
    await setTimeout(1000, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return { status: "building", reason: null };
}
