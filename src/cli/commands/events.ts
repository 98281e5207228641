import type { Command } from "commander";
import { type EventRecord, eventListResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import type { CommandContext } from "../command-context.js";
import { followEvents } from "../event-stream.js";
import type { Colors } from "../output/colors.js";
import { escapeControlChars } from "../output/control-chars.js";
import { parseCount } from "../parse-count.js";
import { parseSince } from "../parse-since.js";

interface EventsOptions {
  service?: string;
  kind?: string;
  since?: string;
  limit?: string;
  follow?: boolean;
}

/** The most events one request returns. */
const MAX_LIMIT = 1000;

/** `slipway events`: the event log (deploys, config changes, token and secret changes…), or a live feed with -f. */
export function registerEventsCommand(program: Command, action: ActionFactory): void {
  program
    .command("events")
    .description("show the event log; -f follows new events live")
    .option("--service <service>", "only this service's events")
    .option("--kind <kind>", "only this kind, or a prefix ending in .* (e.g. secret.*)")
    .option("--since <when>", "from this time (RFC 3339) or this long ago (e.g. 10m, 2h)")
    .option("--limit <n>", `at most this many events, the newest (default 100, at most ${MAX_LIMIT})`)
    .option(
      "-f, --follow",
      "keep running and print new events as they happen (--json: one JSON object per line)",
    )
    .action(
      action(async (ctx, command) => {
        const options = command.opts<EventsOptions>();
        const limit =
          options.limit === undefined ? undefined : parseCount(options.limit, "--limit", 1, MAX_LIMIT);
        const since = options.since === undefined ? undefined : await parseSince(options.since);
        const client = await ctx.client();
        // Like `journalctl --since`: the newest events of the window. With -f, the oldest, as
        // the live feed then goes on after the last one shown: nothing of the window is skipped.
        const keep = since !== undefined && !options.follow ? "newest" : undefined;
        const { events, truncated } = await client.get("/api/v1/events", eventListResponse, {
          query: { service: options.service, kind: options.kind, since, limit, keep },
        });
        if (!options.follow) {
          printList(ctx, events, truncated === true);
          if (truncated && !ctx.output.json) {
            ctx.output.note(truncationNote(events.length, since));
          }
          return;
        }
        const print = (event: EventRecord) =>
          ctx.output.json
            ? ctx.output.jsonLine(event)
            : ctx.output.line(formatEventLine(event, ctx.output.colors));
        events.forEach(print);
        const last = events.at(-1);
        await followEvents(client, {
          query: { service: options.service, kind: options.kind },
          after: last === undefined ? undefined : String(last.seq),
          onEvent: print,
          onConnectionChange: (state) =>
            ctx.output.note(
              state === "lost" ? "connection to the server lost; reconnecting…" : "reconnected",
            ),
          onInvalid: (data) => {
            if (ctx.globals.debug) {
              ctx.output.stderrText(`debug: skipped a stream message that is not an event: ${data}\n`);
            }
          },
        });
      }),
    );
}

function printList(ctx: CommandContext, events: EventRecord[], truncated: boolean): void {
  if (ctx.output.json) {
    ctx.output.data({ events, truncated });
    return;
  }
  ctx.output.table(
    ["TIME", "KIND", "SERVICE", "ENV", "ACTOR", "MESSAGE"],
    events.map((event) => [
      formatEventTime(event.at),
      event.kind,
      event.service ?? "-",
      event.environment ?? "-",
      event.actor ?? "-",
      escapeControlChars(event.message ?? ""),
    ]),
    "no events match",
  );
}

/** What to say on stderr when the limit left events out: how many are shown, and how to see more. */
export function truncationNote(shown: number, since: string | undefined): string {
  const what = `showing the latest ${shown} ${shown === 1 ? "event" : "events"}${since === undefined ? "" : ` since ${since}`}`;
  return shown < MAX_LIMIT
    ? `${what}; --limit N (up to ${MAX_LIMIT}) shows more`
    : `${what}; narrow it with --since, --service or --kind to see the rest`;
}

/** One event on one line, for the live feed. */
export function formatEventLine(event: EventRecord, colors: Colors): string {
  const where = [event.service, event.environment].filter(Boolean).join("/");
  const parts = [colors.dim(formatEventTime(event.at)), colors.cyan(event.kind)];
  if (where) {
    parts.push(where);
  }
  if (event.actor) {
    parts.push(colors.dim(`by ${event.actor}`));
  }
  if (event.message) {
    parts.push(escapeControlChars(event.message));
  }
  return parts.join("  ");
}

/** `2025-01-31 14:05:09` in local time: sortable and short. */
export function formatEventTime(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) {
    return iso;
  }
  const pad = (value: number) => String(value).padStart(2, "0");
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}
