import { setTimeout } from "node:timers/promises";
import { z } from "zod";
import { apiPath } from "../api-path.js";
import type { ApiClient } from "../http-client.js";
import { UnreachableError } from "../http-errors.js";
import { buildLogEnd, logLine } from "../run-api-schemas.js";
import { sseMessages } from "../sse-messages.js";
import { UNREACHABLE_PATIENCE_MS } from "./watch-deployment.js";

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
 * A platform that restarts meanwhile is waited for, as a rollout's watch waits: a build that
 * the restart cut off then reads as failed, saying so.
 */
export async function followBuildLog(
  client: ApiClient,
  options: { service: string; version: number; onLine: (line: BuildLogLine) => void; signal: AbortSignal },
): Promise<BuildResult> {
  const path = apiPath("services", options.service, "releases", String(options.version), "build-log");
  let printed = 0;
  let unreachableSince: number | undefined;
  /** Waits a moment when the platform is unreachable, for a minute at most; rethrows anything else. */
  const waitForPlatform = async (error: unknown): Promise<void> => {
    unreachableSince ??= Date.now();
    if (!(error instanceof UnreachableError) || Date.now() - unreachableSince > UNREACHABLE_PATIENCE_MS) {
      throw error;
    }
    await setTimeout(1000, undefined, { signal: options.signal }).catch(() => undefined);
  };
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
      if (printed === 0 && seen === 0 && !(error instanceof UnreachableError)) {
        throw error;
      }
    }
    if (options.signal.aborted) {
      break;
    }
    let snapshot: z.infer<typeof buildLogSnapshot>;
    try {
      snapshot = await client.get(path, buildLogSnapshot, { quiet: true });
      unreachableSince = undefined;
    } catch (error) {
      await waitForPlatform(error);
      continue;
    }
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
