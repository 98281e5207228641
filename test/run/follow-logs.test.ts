import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greeterSource, packApp, specFor } from "./apps.js";
import { followStream } from "./follow-stream.js";
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

  /** Follows the service's logs from its last line on. */
  const followTracer = async () => {
    const stream = await followStream(
      `${run.platform.url}/api/v1/services/tracer/logs?environment=staging&follow=true&limit=1`,
      run.platform.adminToken ?? "",
    );
    expect(stream.status).toBe(200);
    return stream;
  };

  it("shows the new replicas' first lines, written before the stream noticed them", async () => {
    const stream = await followTracer();
    try {
      const { deployment } = await run.client.deploy(
        "tracer",
        await packApp({ "server.js": greeterSource("v2") }),
      );
      expect(deployment?.status).toBe("succeeded");
      const replica = (await run.client.status("tracer")).environments[0]?.replicas[0]?.id ?? "";
      // The new replica logs "listening on PORT" once, at its start, well before the next discovery.
      for (let i = 0; i < 30 && !stream.text().includes(`"replica":"${replica}"`); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const mine = stream
        .text()
        .split("\n")
        .filter((line) => line.startsWith("data: ") && line.includes(`"replica":"${replica}"`));
      expect(mine.some((line) => line.includes('"line":"listening on '))).toBe(true);
      // Each line once: the first read and the discovery must not both send it.
      expect(new Set(mine).size).toBe(mine.length);
    } finally {
      await stream.close();
    }
  }, 60_000);

  it("shows the lines of a replica that lived for less than a second", async () => {
    const stream = await followTracer();
    try {
      // It crashes at once: the rollout fails and stops it well within the discovery's second.
      const { deployment } = await run.client.deploy(
        "tracer",
        await packApp({ "server.js": 'console.log("booting the broken one"); process.exit(1);' }),
      );
      expect(deployment?.status).toBe("failed");
      for (let i = 0; i < 30 && !stream.text().includes("booting the broken one"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(stream.text()).toContain('"line":"booting the broken one"');
    } finally {
      await stream.close();
    }
  }, 60_000);
});
