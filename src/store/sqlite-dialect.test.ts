import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendEvent, listEvents } from "./events.js";
import { openStore, SQLITE_FILE_NAME, type Store } from "./open-store.js";

let root: string;
let stores: Store[];

async function open(): Promise<Store> {
  const store = await openStore({ home: join(root, "home") });
  stores.push(store);
  return store;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "slipway-sqlite-"));
  stores = [];
});

afterEach(async () => {
  for (const store of stores) {
    await store.close();
  }
  await rm(root, { recursive: true, force: true });
});

describe("the node:sqlite dialect", () => {
  it("opens in WAL mode with a busy timeout, foreign keys on and NORMAL sync", async () => {
    const { db } = await open();
    const pragma = async (name: string) =>
      Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] ?? {})[0];
    expect(await pragma("journal_mode")).toBe("wal");
    expect(await pragma("busy_timeout")).toBe(5000);
    expect(await pragma("foreign_keys")).toBe(1);
    expect(await pragma("synchronous")).toBe(1);
  });

  it("reports affected rows and returns plain row objects", async () => {
    const { db } = await open();
    await appendEvent(db, { kind: "note", message: "a" });
    await appendEvent(db, { kind: "note", message: "b" });
    const result = await db.updateTable("events").set({ actor: "ada" }).executeTakeFirst();
    expect(result.numUpdatedRows).toBe(2n);
    const row = await db.selectFrom("events").selectAll().executeTakeFirstOrThrow();
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
  });

  it("streams rows in chunks, and stops cleanly when the reader stops", async () => {
    const { db } = await open();
    for (let i = 0; i < 7; i++) {
      await appendEvent(db, { kind: "note", message: `m${i}` });
    }
    const all: string[] = [];
    for await (const row of db.selectFrom("events").select("message").orderBy("seq").stream(3)) {
      all.push(row.message);
    }
    expect(all).toEqual(["m0", "m1", "m2", "m3", "m4", "m5", "m6"]);

    const firstTwo: string[] = [];
    for await (const row of db.selectFrom("events").select("message").orderBy("seq").stream(2)) {
      firstTwo.push(row.message);
      if (firstTwo.length === 2) {
        break;
      }
    }
    expect(firstTwo).toEqual(["m0", "m1"]);
    // The connection was released: the next query runs.
    expect(await listEvents(db, { limit: 1 })).toHaveLength(1);
  });

  it("lets two stores on one file write at once, transactions included, without SQLITE_BUSY", async () => {
    const first = await open();
    const second = await open();
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 25; i++) {
      writes.push(appendEvent(first.db, { kind: "note", message: `first ${i}` }));
      writes.push(appendEvent(second.db, { kind: "note", message: `second ${i}` }));
      writes.push(
        second.db.transaction().execute(async (trx) => {
          await appendEvent(trx, { kind: "note", message: `tx-a ${i}` });
          // Yield mid-transaction so the other store's writes queue up behind this one.
          await new Promise((resolve) => setImmediate(resolve));
          await appendEvent(trx, { kind: "note", message: `tx-b ${i}` });
        }),
      );
    }
    await Promise.all(writes);
    const events = await listEvents(first.db, { limit: 1000 });
    expect(events).toHaveLength(100);
    // Each transaction's two events are adjacent: nothing interleaved inside it.
    for (let i = 0; i < 25; i++) {
      const a = events.findIndex((event) => event.message === `tx-a ${i}`);
      expect(events[a + 1]?.message).toBe(`tx-b ${i}`);
    }
  });

  it("waits for another process's write lock instead of failing (busy timeout)", async () => {
    const store = await open();
    const file = join(root, "home", SQLITE_FILE_NAME);
    // A separate process takes the write lock, holds it for 600 ms, then commits.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `const { DatabaseSync } = require("node:sqlite");
         const db = new DatabaseSync(process.argv[1]);
         db.exec("BEGIN IMMEDIATE");
         db.exec("insert into events (id, at, kind, message) values ('evt_other', '2026-01-01T00:00:00.000Z', 'note', 'other process')");
         process.stdout.write("locked\\n");
         setTimeout(() => { db.exec("COMMIT"); db.close(); }, 600);`,
        file,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = new Promise<number | null>((resolve) => holder.on("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      holder.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("locked") && resolve());
      holder.on("exit", (code) => reject(new Error(`lock holder exited early (${code})`)));
    });
    const started = Date.now();
    await appendEvent(store.db, { kind: "note", message: "this process" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await exited).toBe(0);
    expect((await listEvents(store.db)).map((event) => event.message)).toEqual([
      "other process",
      "this process",
    ]);
  });
});
