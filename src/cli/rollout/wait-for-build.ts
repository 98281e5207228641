import type { ApiClient } from "../http-client.js";
import type { Colors } from "../output/colors.js";
import type { LiveProgress } from "../output/live-progress.js";
import type { Deadline } from "./deadline.js";
import { type BuildResult, followBuildLog } from "./follow-build-log.js";
import { formatBuildLogLine } from "./progress-line.js";

/**
 * Shows a release's build log live until the build ends; a build still running at the deadline
 * is a timeout error (exit 1).
 */
export async function waitForBuild(
  client: ApiClient,
  options: { service: string; version: number; deadline: Deadline; progress: LiveProgress; colors: Colors },
): Promise<BuildResult> {
  const { progress, deadline } = options;
  progress.waitingFor(`building v${options.version}`);
  const timer = new AbortController();
  const timeout = setTimeout(() => timer.abort(), deadline.remainingMs());
  try {
    const result = await followBuildLog(client, {
      service: options.service,
      version: options.version,
      signal: timer.signal,
      onLine: (line) => progress.line(formatBuildLogLine(line, options.colors)),
    });
    if (result.status === "building") {
      progress.stop();
      throw deadline.timeoutError(`the build of ${options.service} v${options.version}`, options.service);
    }
    return result;
  } finally {
    clearTimeout(timeout);
  }
}
