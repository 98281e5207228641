import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../../test/support/api-harness.js";
import { appendEvent } from "../../store/index.js";

describe("GET /api/v1/events: which events a limit keeps", () => {
  let api: TestApi;
  let seqs: number[];
  beforeAll(async () => {
    api = await startTestApi();
    seqs = [];
    for (let i = 1; i <= 6; i += 1) {
      const event = await appendEvent(api.ctx.store.db, { kind: "test.tick", message: `tick ${i}` });
      seqs.push(Number(event.seq));
    }
  });
  afterAll(() => api.close());

  async function list(query: string): Promise<{ messages: string[]; seqs: number[]; truncated: boolean }> {
    const res = await api.call(api.adminToken, {
      method: "GET",
      url: `/api/v1/events?kind=test.tick&${query}`,
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as { events: { seq: number; message: string }[]; truncated: boolean };
    return {
      messages: body.events.map((event) => event.message),
      seqs: body.events.map((event) => event.seq),
      truncated: body.truncated,
    };
  }

  it("keep=newest with since gives the newest events of the window, oldest first, and says it cut", async () => {
    expect(await list("since=1h&limit=3&keep=newest")).toMatchObject({
      messages: ["tick 4", "tick 5", "tick 6"],
      truncated: true,
    });
    const res = await api.call(api.adminToken, { method: "GET", url: "/api/v1/events?keep=middle" });
    expect(res.statusCode).toBe(400);
  });

  it("keeps the newest without since, the oldest with since or after (as before)", async () => {
    expect((await list("limit=2")).messages).toEqual(["tick 5", "tick 6"]);
    expect(await list("since=1h&limit=2")).toMatchObject({ messages: ["tick 1", "tick 2"], truncated: true });
    expect(await list(`after=${seqs[3]}&limit=2`)).toMatchObject({
      messages: ["tick 5", "tick 6"],
      truncated: false,
    });
    expect(await list(`after=${seqs[0]}&limit=2&keep=newest`)).toMatchObject({
      messages: ["tick 5", "tick 6"],
      truncated: true,
    });
  });

  it("says nothing was cut when every match fits, even exactly", async () => {
    expect(await list("since=1h&limit=6&keep=newest")).toMatchObject({ truncated: false });
    expect(await list("limit=6")).toMatchObject({ truncated: false });
    expect(await list("since=1h&limit=100")).toMatchObject({ truncated: false });
    expect((await list("since=1h&limit=6")).seqs).toEqual(seqs);
  });
});
