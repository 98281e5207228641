import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greeterSource, packApp, specFor } from "./apps.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

describe("following a service's logs across a deploy", () => {
  let run: TestRunPlatform;
  const spec = specFor("tracer").replace("replicas: 2", "replicas: 1");

  beforeAll(async () => {
    run = await startRunPlatform("slipway-follow-");
    await run.client.apply("tracer", spec);
    expect(
      (await run.client.deploy("tracer", await packApp({ "server.js": greeterSource("v1") }))).deployment
        ?.status,
    ).toBe("succeeded");
  }, 60_000);
  afterAll(() => run?.close());

  it("shows the new replicas' first lines, written before the stream noticed them", async () => {
    const aborter = new AbortController();
    const res = await fetch(
      `${run.platform.url}/api/v1/services/tracer/logs?environment=staging&follow=true&limit=1`,
      {
        headers: { authorization: `Bearer ${run.platform.adminToken}` },
        signal: aborter.signal,
      },
    );
    expect(res.status).toBe(200);
    let received = "";
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        received += decoder.decode(chunk, { stream: true });
      }
    })().catch(() => undefined);
    try {
      const { deployment } = await run.client.deploy(
        "tracer",
        await packApp({ "server.js": greeterSource("v2") }),
      );
      expect(deployment?.status).toBe("succeeded");
      const replica = (await run.client.status("tracer")).environments[0]?.replicas[0]?.id ?? "";
      // The new replica logs "listening on PORT" once, at its start, well before the next discovery.
      for (let i = 0; i < 30 && !received.includes(`"replica":"${replica}"`); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const mine = received
        .split("\n")
        .filter((line) => line.startsWith("data: ") && line.includes(`"replica":"${replica}"`));
      expect(mine.some((line) => line.includes('"line":"listening on '))).toBe(true);
      // Each line once: the first read and the discovery must not both send it.
      expect(new Set(mine).size).toBe(mine.length);
    } finally {
      aborter.abort();
      await reading;
    }
  }, 60_000);
});
