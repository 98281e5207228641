import type { CommandContext } from "../command-context.js";
import type { ApiClient } from "../http-client.js";
import { followBuildLog } from "../rollout/follow-build-log.js";
import { formatBuildLogLine } from "../rollout/progress-line.js";

/**
 * `slipway logs SERVICE --build N`: a release's build output, whole, then how the build ended
 * (Heroku's `builds:output`). A build still running is followed to its end.
 */
export async function printBuildLog(
  ctx: CommandContext,
  client: ApiClient,
  service: string,
  version: number,
): Promise<void> {
  const aborter = new AbortController();
  const end = await followBuildLog(client, {
    service,
    version,
    signal: aborter.signal,
    onLine: (line) =>
      ctx.output.json
        ? ctx.output.jsonLine(line)
        : ctx.output.line(formatBuildLogLine(line, ctx.output.colors)),
  });
  if (ctx.output.json) {
    ctx.output.jsonLine({ end });
    return;
  }
  const how =
    end.status === "failed"
      ? `failed${end.reason ? `: ${end.reason}` : ""}`
      : end.status === "ready"
        ? "succeeded"
        : `is ${end.status}`;
  ctx.output.note(`the build of ${service} v${version} ${how}`);
}
