import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import type { ActionFactory } from "../command-action.js";
import type { Colors } from "../output/colors.js";
import { formatRelativeTime } from "../output/format-time.js";
import { type ReleaseSummary, releaseListResponse } from "../run-api-schemas.js";

/** `slipway releases SERVICE`: every release, newest first, with where each is live. */
export function registerReleasesCommand(program: Command, action: ActionFactory): void {
  program
    .command("releases")
    .description("list a service's releases, newest first, and where each is live")
    .argument("<service>", "the service")
    .action(
      action(async (ctx, command) => {
        const [service] = command.processedArgs as [string];
        const client = await ctx.client();
        const { releases } = await client.get(apiPath("services", service, "releases"), releaseListResponse);
        if (ctx.output.json) {
          ctx.output.data({ releases });
          return;
        }
        ctx.output.table(
          ["VERSION", "STATUS", "COMMIT", "CREATED", "LIVE IN"],
          releases.map((release) => releaseRow(release, new Date(), ctx.output.colors)),
          `no releases of ${service} yet: run \`slipway deploy\` in its directory`,
        );
      }),
    );
}

/** One row of the releases table. */
export function releaseRow(release: ReleaseSummary, now: Date, colors: Colors): string[] {
  return [
    `v${release.version}`,
    colorStatus(release.status, colors),
    release.commit ? release.commit.slice(0, 7) : "-",
    formatRelativeTime(release.createdAt, now, "-"),
    release.liveIn && release.liveIn.length > 0 ? release.liveIn.join(", ") : "-",
  ];
}

function colorStatus(status: string, colors: Colors): string {
  if (status === "ready") {
    return colors.green(status);
  }
  return status === "failed" ? colors.red(status) : colors.yellow(status);
}
