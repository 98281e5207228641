import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/support/store-engines.js";
import { newId } from "../store/ids.js";
import { appendEvent, listEvents, pruneEventsBefore } from "../store/index.js";
import { startEventRetention } from "./event-retention.js";

const day = 86_400_000;

describeEachEngine("event retention", (getStore) => {
  /** An event that happened `ageMs` ago (appendEvent always stamps now). */
  const eventAged = async (ageMs: number, message: string) => {
    await getStore()
      .db.insertInto("events")
      .values({
        id: newId("evt"),
        at: new Date(Date.now() - ageMs).toISOString(),
        kind: "note",
        service: null,
        environment: null,
        actor: null,
        message,
        data_json: null,
      })
      .execute();
  };

  it("prunes events older than the bound, keeps the rest, and never reuses a sequence number", async () => {
    const { db } = getStore();
    await eventAged(100 * day, "old");
    await eventAged(91 * day, "older than 90 days");
    await eventAged(89 * day, "kept");
    const pruned = await pruneEventsBefore(db, new Date(Date.now() - 90 * day).toISOString());
    expect(pruned).toBe(2);
    const left = await listEvents(db);
    expect(left.map((event) => event.message)).toEqual(["kept"]);
    // Everything pruned, then one more: its number still follows the highest ever given.
    await pruneEventsBefore(db, new Date(Date.now() + day).toISOString());
    const next = await appendEvent(db, { kind: "note", message: "after" });
    expect(next.seq).toBeGreaterThan(left[0]?.seq ?? Number.POSITIVE_INFINITY);
  });

  it("prunes at start and on every pass, logging what went, and stops cleanly", async () => {
    const store = getStore();
    await eventAged(2 * day, "two days old");
    await appendEvent(store.db, { kind: "note", message: "fresh" });
    const logged: object[] = [];
    const log = { info: (details: object) => logged.push(details), warn: () => undefined };
    const retention = startEventRetention({ store, retentionMs: day, log: log as never, intervalMs: 60_000 });
    await retention.pass();
    expect((await listEvents(store.db)).map((event) => event.message)).toEqual(["fresh"]);
    expect(logged).toEqual([{ pruned: 1, retentionMs: day }]);
    await eventAged(3 * day, "late arrival");
    expect(await retention.pass()).toBe(1);
    await retention.stop();
  });

  it("refuses a bound that is not a time", async () => {
    await expect(pruneEventsBefore(getStore().db, "last week")).rejects.toThrow(
      /before "last week" is not an ISO-8601 time/,
    );
  });
});
