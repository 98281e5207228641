import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/support/store-engines.js";
import { appendEvent, listEvents } from "./events.js";

describeEachEngine("events", (getStore) => {
  it("appends an event and returns it with a sequence number and decoded data", async () => {
    const { db } = getStore();
    const event = await appendEvent(db, {
      kind: "deployment.started",
      message: "Deploying v3 to staging",
      service: "api",
      environment: "staging",
      actor: "ada",
      data: { release: 3, replicas: [1, 2] },
    });
    expect(event).toMatchObject({
      kind: "deployment.started",
      message: "Deploying v3 to staging",
      service: "api",
      environment: "staging",
      actor: "ada",
      data: { release: 3, replicas: [1, 2] },
    });
    expect(typeof event.seq).toBe("number");
    expect(event.id).toMatch(/^evt_[a-z2-7]{20}$/);
    expect(event.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(await listEvents(db)).toEqual([event]);
  });

  it("stores events without optional fields as nulls", async () => {
    const { db } = getStore();
    const event = await appendEvent(db, { kind: "note", message: "hello" });
    expect(event).toMatchObject({ service: null, environment: null, actor: null, data: null });
  });

  it("numbers events in the order they were appended", async () => {
    const { db } = getStore();
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      seqs.push((await appendEvent(db, { kind: "note", message: `n${i}` })).seq);
    }
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(5);
    const listed = await listEvents(db);
    expect(listed.map((event) => event.message)).toEqual(["n0", "n1", "n2", "n3", "n4"]);
    const latestTwo = await listEvents(db, { order: "desc", limit: 2 });
    expect(latestTwo.map((event) => event.message)).toEqual(["n4", "n3"]);
  });

  it("filters by service, environment and exact kind", async () => {
    const { db } = getStore();
    await appendEvent(db, {
      kind: "deployment.started",
      message: "a",
      service: "api",
      environment: "staging",
    });
    await appendEvent(db, {
      kind: "deployment.started",
      message: "b",
      service: "web",
      environment: "staging",
    });
    await appendEvent(db, {
      kind: "deployment.finished",
      message: "c",
      service: "api",
      environment: "production",
    });
    const messages = async (filter: Parameters<typeof listEvents>[1]) =>
      (await listEvents(db, filter)).map((event) => event.message);
    expect(await messages({ service: "api" })).toEqual(["a", "c"]);
    expect(await messages({ environment: "staging" })).toEqual(["a", "b"]);
    expect(await messages({ kind: "deployment.started" })).toEqual(["a", "b"]);
    expect(await messages({ service: "api", kind: "deployment.started" })).toEqual(["a"]);
    expect(await messages({ kind: "deployment" })).toEqual([]);
  });

  it("treats a kind ending in .* as a prefix, with _ and case taken literally", async () => {
    const { db } = getStore();
    await appendEvent(db, { kind: "replica.oom_killed", message: "oom" });
    await appendEvent(db, { kind: "replica.restarted", message: "restart" });
    await appendEvent(db, { kind: "replicas.scaled", message: "not a replica event" });
    await appendEvent(db, { kind: "Replica.other", message: "other case" });
    await appendEvent(db, { kind: "replicaXoom", message: "x" });
    await appendEvent(db, { kind: "deploy_a.done", message: "underscore" });
    await appendEvent(db, { kind: "deployXa.done", message: "lookalike" });
    const messages = async (kind: string) => (await listEvents(db, { kind })).map((event) => event.message);
    expect(await messages("replica.*")).toEqual(["oom", "restart"]);
    expect(await messages("deploy_a.*")).toEqual(["underscore"]);
    expect(await messages("*")).toHaveLength(7);
  });

  it("resumes after a sequence number, for live streams", async () => {
    const { db } = getStore();
    const first = await appendEvent(db, { kind: "note", message: "1" });
    await appendEvent(db, { kind: "note", message: "2" });
    await appendEvent(db, { kind: "note", message: "3" });
    const after = await listEvents(db, { afterSeq: first.seq });
    expect(after.map((event) => event.message)).toEqual(["2", "3"]);
    expect(await listEvents(db, { afterSeq: after[1]?.seq ?? 0 })).toEqual([]);
  });

  it("filters by time: since inclusive, until exclusive, any ISO offset", async () => {
    const { db } = getStore();
    const first = await appendEvent(db, { kind: "note", message: "1" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await appendEvent(db, { kind: "note", message: "2" });
    expect((await listEvents(db, { since: second.at })).map((event) => event.message)).toEqual(["2"]);
    expect((await listEvents(db, { until: second.at })).map((event) => event.message)).toEqual(["1"]);
    expect(
      (await listEvents(db, { since: first.at, until: second.at })).map((event) => event.message),
    ).toEqual(["1"]);
    // The same instant written with an offset compares correctly after normalising.
    const shifted = new Date(Date.parse(second.at)).toISOString().replace("Z", "+00:00");
    expect((await listEvents(db, { since: shifted })).map((event) => event.message)).toEqual(["2"]);
    await expect(listEvents(db, { since: "yesterday" })).rejects.toThrow(
      /since "yesterday" is not an ISO-8601 time/,
    );
  });

  it("caps the limit at 1000 and defaults to 100", async () => {
    const { db } = getStore();
    await db
      .insertInto("events")
      .values(
        Array.from({ length: 1005 }, (_, i) => ({
          id: `evt_bulk${i}`,
          at: "2026-01-01T00:00:00.000Z",
          kind: "note",
          message: `m${i}`,
        })),
      )
      .execute();
    expect(await listEvents(db)).toHaveLength(100);
    expect(await listEvents(db, { limit: 5000 })).toHaveLength(1000);
    expect(await listEvents(db, { limit: 0 })).toHaveLength(1);
  });

  it("rejects a kind that is not dotted words", async () => {
    const { db } = getStore();
    await expect(appendEvent(db, { kind: "bad kind", message: "x" })).rejects.toThrow(/not dotted words/);
    await expect(appendEvent(db, { kind: "replica.*", message: "x" })).rejects.toThrow(/not dotted words/);
    expect(await listEvents(db)).toEqual([]);
  });
});
