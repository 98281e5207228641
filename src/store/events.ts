import { type Kysely, sql } from "kysely";
import { newId, nowIso } from "./ids.js";
import type { Database, EventRow } from "./schema.js";

/** One entry of the timeline, with its JSON data decoded. */
export interface EventRecord extends Omit<EventRow, "data_json"> {
  data: unknown;
}

/** What happened, for {@link appendEvent}. */
export interface NewEvent {
  /** Dotted kind, e.g. `deployment.started`, `replica.oom_killed`. */
  kind: string;
  /** One human sentence; never a secret. */
  message: string;
  service?: string | null;
  environment?: string | null;
  /** A user name, or `slipway` for the platform itself. */
  actor?: string | null;
  /** Any JSON-encodable details. */
  data?: unknown;
}

/** Which events {@link listEvents} returns. */
export interface EventFilter {
  service?: string;
  environment?: string;
  /** An exact kind, or a prefix when it ends in `.*` (`replica.*` matches `replica.oom_killed`). */
  kind?: string;
  /** Events at or after this time (ISO-8601). */
  since?: string;
  /** Events before this time (ISO-8601). */
  until?: string;
  /** Events after this sequence number: how a live stream resumes. */
  afterSeq?: number;
  /** Default 100, at most 1000. */
  limit?: number;
  /** By sequence number; default "asc" (oldest first). "desc" with a limit gives the latest events. */
  order?: "asc" | "desc";
}

const KIND_PATTERN = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * Appends an event to the timeline and returns it with its sequence number. The log is
 * append-only: there is deliberately no function to change an event, and the only removal is
 * retention by age ({@link pruneEventsBefore}).
 *
 * @example
 * await appendEvent(store.db, { kind: "deployment.started", message: "Deploying v3 to staging", service: "api" });
 */
export async function appendEvent(db: Kysely<Database>, input: NewEvent): Promise<EventRecord> {
  if (!KIND_PATTERN.test(input.kind)) {
    throw new RangeError(
      `Event kind "${input.kind}" is not dotted words (letters, digits, _ and -), e.g. "deployment.started".`,
    );
  }
  const row = await db
    .insertInto("events")
    .values({
      id: newId("evt"),
      at: nowIso(),
      kind: input.kind,
      service: input.service ?? null,
      environment: input.environment ?? null,
      actor: input.actor ?? null,
      message: input.message,
      data_json: input.data === undefined ? null : JSON.stringify(input.data),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toEventRecord(row);
}

/**
 * Reads the timeline, oldest first unless `order: "desc"`.
 *
 * @example
 * const oomKills = await listEvents(store.db, { service: "api", kind: "replica.*", since: "2026-11-27T00:00:00Z" });
 */
export async function listEvents(db: Kysely<Database>, filter: EventFilter = {}): Promise<EventRecord[]> {
  let query = db.selectFrom("events").selectAll();
  if (filter.service !== undefined) {
    query = query.where("service", "=", filter.service);
  }
  if (filter.environment !== undefined) {
    query = query.where("environment", "=", filter.environment);
  }
  if (filter.kind !== undefined && filter.kind !== "*") {
    if (filter.kind.endsWith(".*")) {
      const prefix = filter.kind.slice(0, -1);
      // substr rather than LIKE: `_` in kinds would be a LIKE wildcard, and SQLite's LIKE ignores case.
      query = query.where(sql<string>`substr(kind, 1, ${prefix.length})`, "=", prefix);
    } else {
      query = query.where("kind", "=", filter.kind);
    }
  }
  if (filter.since !== undefined) {
    query = query.where("at", ">=", normalizeTime(filter.since, "since"));
  }
  if (filter.until !== undefined) {
    query = query.where("at", "<", normalizeTime(filter.until, "until"));
  }
  if (filter.afterSeq !== undefined) {
    query = query.where("seq", ">", filter.afterSeq);
  }
  const rows = await query
    .orderBy("seq", filter.order === "desc" ? "desc" : "asc")
    .limit(clampLimit(filter.limit))
    .execute();
  return rows.map(toEventRecord);
}

/**
 * Retention: removes every event that happened before `before` (ISO-8601) and returns how many
 * went. Sequence numbers are never reused, so a live stream resuming after a pruned event still
 * gets everything after it.
 *
 * @example
 * await pruneEventsBefore(store.db, new Date(Date.now() - 90 * 86_400_000).toISOString());
 */
export async function pruneEventsBefore(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db
    .deleteFrom("events")
    .where("at", "<", normalizeTime(before, "before"))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

function toEventRecord(row: EventRow): EventRecord {
  const { data_json, ...rest } = row;
  return { ...rest, data: data_json === null ? null : JSON.parse(data_json) };
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) {
    return DEFAULT_LIMIT;
  }
  return Math.min(MAX_LIMIT, Math.max(1, Math.floor(limit)));
}

/** Times are stored as UTC `…Z` text, so a bound must be in the same form to compare as text. */
function normalizeTime(value: string, field: "since" | "until" | "before"): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new RangeError(`${field} "${value}" is not an ISO-8601 time, e.g. "2026-11-27T18:00:00Z".`);
  }
  return new Date(time).toISOString();
}
