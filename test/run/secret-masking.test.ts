import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import { packApp, specFor } from "./apps.js";
import { followStream } from "./follow-stream.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

const oldValue = "sup3rs3cretvalue42";
const newValue = "n3wsecretvalue77";
const host = "leaky.staging.localhost";

/** Prints its API key on every request, as an app with a debug log left on would. */
const leakySource = `
const http = require("node:http");
console.log("starting with key=" + process.env.API_KEY);
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") { res.end("ok"); return; }
  console.log("request " + req.url + " key=" + process.env.API_KEY);
  res.end("ok");
});
server.listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;

interface Lines {
  lines: { line: string }[];
}

// The QA reproductions of D1 (old values unmasked after a change) and D2 (grep on unmasked text),
// with a real replica that keeps the value it was started with.
describe("secrets printed by a replica stay masked in its logs (real processes)", () => {
  let run: TestRunPlatform;
  let platform: RunningPlatform;
  let client: ReturnType<typeof clientFor>;

  const logs = async (query = "") =>
    (await client.call<Lines>("GET", `/api/v1/services/leaky/logs?environment=staging${query}`)).body;
  const setKey = async (value: string) => {
    const set = await client.call("PUT", "/api/v1/services/leaky/secrets/API_KEY", {
      value,
      environment: "staging",
    });
    expect(set.status).toBe(200);
  };
  /** Sends a request through the router and waits until the replica's line for it is stored. */
  const logRequest = async (path: string) => {
    expect((await viaRouter(platform.routerUrl, host, path)).status).toBe(200);
    for (let i = 0; i < 100; i++) {
      const found = (await logs(`&grep=${encodeURIComponent(`request ${path} `)}`)).lines;
      if (found.length > 0) {
        return found.map((l) => l.line);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the replica's line for ${path} never showed in the logs`);
  };

  beforeAll(async () => {
    run = await startRunPlatform("slipway-run-");
    ({ platform, client } = run);
    const spec = specFor("leaky")
      .replace("replicas: 2", "replicas: 1")
      .replace("start: node server.js", "start: node server.js\nsecrets: [API_KEY]");
    await client.apply("leaky", spec);
    await setKey(oldValue);
    const { deployment } = await client.deploy(
      "leaky",
      await packApp({ "server.js": leakySource, "slipway.yaml": spec }),
    );
    expect(deployment?.status, JSON.stringify(deployment)).toBe("succeeded");
    expect(await logRequest("/first")).toEqual(["request /first key=***"]);
  }, 60_000);
  afterAll(() => run?.close());

  it("greps what the reader is shown: a secret's prefix finds nothing, `***` finds the masked lines", async () => {
    for (const guess of ["key=s", "key=su", "key=sup3r", `key=${oldValue}`, oldValue.slice(3)]) {
      expect((await logs(`&grep=${encodeURIComponent(guess)}`)).lines, guess).toEqual([]);
    }
    const masked = (await logs(`&grep=${encodeURIComponent("key=***")}`)).lines.map((l) => l.line);
    expect(masked).toEqual(["starting with key=***", "request /first key=***"]);
  });

  it("greps the masked text when following too", async () => {
    const stream = await followStream(
      `${platform.url}/api/v1/services/leaky/logs?environment=staging&follow=true&grep=${encodeURIComponent("key=***")}`,
      platform.adminToken ?? "",
    );
    expect(stream.status).toBe(200);
    try {
      // A line written while the stream follows; sent again in case the first landed before it began.
      for (let i = 0; i < 50 && !stream.text().includes("request /followed key=***"); i++) {
        if (i % 5 === 0) {
          await viaRouter(platform.routerUrl, host, "/followed");
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    } finally {
      await stream.close();
    }
    const received = stream.text();
    expect(received).toContain('"line":"starting with key=***"');
    expect(received).toContain('"line":"request /followed key=***"');
    expect(received).not.toContain(oldValue.slice(0, 6));
  });

  it("masks what a probe command prints in the replica's events, as in its logs", async () => {
    const spec = specFor("chatty")
      .replace("replicas: 2", "replicas: 1\nsecrets: [API_KEY]")
      .replace("    http: /healthz", `    command: 'echo "checked with $API_KEY"'`);
    await client.apply("chatty", spec);
    const set = await client.call("PUT", "/api/v1/services/chatty/secrets/API_KEY", {
      value: oldValue,
      environment: "staging",
    });
    expect(set.status).toBe(200);
    const { deployment } = await client.deploy("chatty", await packApp({ "server.js": leakySource }));
    expect(deployment?.status).toBe("succeeded");
    const { body } = await client.call<{ events: { kind: string; message: string }[] }>(
      "GET",
      "/api/v1/events?service=chatty",
    );
    expect(body.events.find((event) => event.kind === "replica.ready")?.message).toMatch(
      /is ready: command exited 0: checked with \*\*\*$/,
    );
    expect(JSON.stringify(body)).not.toContain(oldValue);
  }, 60_000);

  it("masks a secret that a 64 KiB cut of a long line falls through, in both pieces", async () => {
    const spec = specFor("long").replace("replicas: 2", "replicas: 1\nsecrets: [API_KEY]");
    await client.apply("long", spec);
    const set = await client.call("PUT", "/api/v1/services/long/secrets/API_KEY", {
      value: oldValue,
      environment: "staging",
    });
    expect(set.status).toBe(200);
    // 65,530 bytes, then the value: the cut at 65,536 falls 6 characters into it.
    const printsLongLine = `console.log("A".repeat(65530) + process.env.API_KEY + " end");\n${leakySource}`;
    const { deployment } = await client.deploy("long", await packApp({ "server.js": printsLongLine }));
    expect(deployment?.status).toBe("succeeded");
    const { body } = await client.call<{ lines: { line: string; truncated?: boolean }[] }>(
      "GET",
      "/api/v1/services/long/logs?environment=staging",
    );
    const [first, rest] = body.lines;
    expect(first?.truncated).toBe(true);
    expect(first?.line.endsWith("A***")).toBe(true);
    expect(rest?.line).toBe("*** end");
    for (const part of [oldValue.slice(0, 6), oldValue.slice(6)]) {
      expect(JSON.stringify(body)).not.toContain(part);
    }
  }, 60_000);

  it("keeps masking a value after the secret is changed, and after it is removed", async () => {
    await setKey(newValue);
    // The running replica still has the old value: its new lines and the old ones must not show it.
    expect(await logRequest("/after-change")).toEqual(["request /after-change key=***"]);
    const afterChange = await logs();
    expect(afterChange.lines.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(afterChange)).not.toContain(oldValue);

    const removed = await client.call("DELETE", "/api/v1/services/leaky/secrets/API_KEY?environment=staging");
    expect(removed.status).toBe(204);
    expect(await logRequest("/after-remove")).toEqual(["request /after-remove key=***"]);
    const afterRemove = await logs();
    expect(afterRemove.lines.map((l) => l.line)).toContain("starting with key=***");
    expect(JSON.stringify(afterRemove)).not.toContain(oldValue);
    expect((await logs(`&grep=${encodeURIComponent("key=s")}`)).lines).toEqual([]);
  });
});
