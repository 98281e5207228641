import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import { usageError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import type { CommandContext } from "../command-context.js";
import { printBuildLog } from "../logs/build-log.js";
import { followLogs } from "../logs/follow-logs.js";
import { formatLogLine } from "../logs/format-log-line.js";
import { SeenLines } from "../logs/seen-lines.js";
import { parseCount } from "../parse-count.js";
import { parseSince } from "../parse-since.js";
import { parseReleaseVersion } from "../release-version.js";
import { type LogLine, logListResponse } from "../run-api-schemas.js";

interface LogsOptions {
  follow?: boolean;
  env?: string;
  since?: string;
  grep?: string;
  replica?: string;
  limit?: string;
  build?: string;
}

/** The most lines one request returns. */
const MAX_LIMIT = 10_000;
/** The longest `--grep` text the server takes. */
const MAX_GREP = 200;

/** `slipway logs SERVICE`: its replicas' stdout and stderr, oldest first; -f follows new lines live. */
export function registerLogsCommand(program: Command, action: ActionFactory): void {
  program
    .command("logs")
    .description("show a service's logs (stdout and stderr of its replicas); -f follows them live")
    .argument("<service>", "the service")
    .option("-f, --follow", "keep running and print new lines as they come, until Ctrl-C")
    .option("--env <environment>", "only this environment")
    .option("--since <when>", "from this time (RFC 3339) or this long ago (e.g. 10m, 2h)")
    .option("--grep <text>", "only lines containing this text")
    .option("--replica <id>", "only this replica")
    .option("--limit <n>", "at most this many lines (the newest)")
    .option("--build <release>", "the build output of this release instead (e.g. 3 or v3)")
    .action(
      action(async (ctx, command) => {
        const [service] = command.processedArgs as [string];
        const options = command.opts<LogsOptions>();
        if (options.build !== undefined) {
          const version = parseReleaseVersion(options.build, "--build");
          refuseWithBuild(options);
          await printBuildLog(ctx, await ctx.client(), service, version);
          return;
        }
        const limit =
          options.limit === undefined ? undefined : parseCount(options.limit, "--limit", 1, MAX_LIMIT);
        const since = options.since === undefined ? undefined : await parseSince(options.since);
        const grep = options.grep === undefined ? undefined : parseGrep(options.grep);
        const client = await ctx.client();
        const path = apiPath("services", service, "logs");
        const filters = { environment: options.env, grep, replica: options.replica };
        const { lines } = await client.get(path, logListResponse, {
          query: { ...filters, since, limit },
        });
        if (!options.follow) {
          printList(
            ctx,
            lines,
            Object.values({ ...filters, since }).some((value) => value !== undefined),
          );
          return;
        }
        const seen = new SeenLines();
        const print = (line: LogLine) => printLine(ctx, line);
        for (const line of lines) {
          seen.record(line);
          print(line);
        }
        await followLogs(client, {
          path,
          query: { ...filters, since },
          seen,
          onLine: print,
          onConnectionChange: (state) =>
            ctx.output.note(
              state === "lost" ? "connection to the server lost; reconnecting…" : "reconnected",
            ),
        });
      }),
    );
}

/** A build's output has no replicas, environments or filters: asking for them is a mistake. */
function refuseWithBuild(options: LogsOptions): void {
  const others = (["follow", "env", "since", "grep", "replica", "limit"] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (others.length > 0) {
    throw usageError(
      `--build cannot be combined with --${others[0]}`,
      "--build prints the whole build output (following it while it builds); leave the other options out",
    );
  }
}

/** `--grep`: some text, as long as the server takes; otherwise a usage error (exit 2). */
function parseGrep(text: string): string {
  if (text === "") {
    throw usageError(
      '--grep "" is empty',
      "give the text lines must contain, e.g. --grep error; without --grep every line is shown",
    );
  }
  if (text.length > MAX_GREP) {
    throw usageError(
      `--grep text is ${text.length} characters long, over ${MAX_GREP}`,
      "look for a shorter part of the line",
    );
  }
  return text;
}

function printList(ctx: CommandContext, lines: LogLine[], filtered: boolean): void {
  if (lines.length === 0 && !ctx.output.json) {
    ctx.output.note(filtered ? "no log lines match" : "no log lines yet");
    return;
  }
  for (const line of lines) {
    printLine(ctx, line);
  }
}

/** Under --json, one JSON object per line (for `jq`), in the list as in the live feed. */
function printLine(ctx: CommandContext, line: LogLine): void {
  if (ctx.output.json) {
    ctx.output.jsonLine(line);
  } else {
    ctx.output.line(formatLogLine(line, ctx.output.colors));
  }
}
