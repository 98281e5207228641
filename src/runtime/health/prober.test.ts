import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROBE_DEFAULTS, probeWithDefaults } from "./probe.js";
import { createProber, type ProbeTransition } from "./prober.js";

/** A real HTTP server whose health the test flips, counting the checks it receives. */
let server: Server;
let port: number;
let healthy: boolean;
let checks: number;

beforeEach(async () => {
  healthy = true;
  checks = 0;
  server = createServer((_, response) => {
    checks++;
    response.statusCode = healthy ? 200 : 500;
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});

afterEach(() => {
  server.closeAllConnections();
  server.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error("timed out");
    }
    await sleep(10);
  }
}

describe("createProber", () => {
  it("has Kubernetes' defaults", () => {
    expect(PROBE_DEFAULTS).toEqual({
      initialDelay: 0,
      period: 10_000,
      timeout: 1000,
      failureThreshold: 3,
      successThreshold: 1,
    });
  });

  it("starts ready when told so (an adopted replica), reporting only its fall after failureThreshold failures", async () => {
    const probe = probeWithDefaults({ type: "http", path: "/healthz" }, { period: 20, failureThreshold: 3 });
    const prober = createProber(probe, { port }, "readiness", { initiallyReady: true });
    const seen: ProbeTransition["type"][] = [];
    prober.onTransition((transition) => seen.push(transition.type));
    prober.start();
    await until(() => checks >= 2);
    expect(seen).toEqual([]);
    healthy = false;
    const failingFrom = checks;
    await until(() => seen.length > 0);
    prober.stop();
    expect(seen).toEqual(["unready"]);
    expect(checks - failingFrom).toBeGreaterThanOrEqual(3);
  });

  it("reports ready after successThreshold passes and unready after failureThreshold failures", async () => {
    const probe = probeWithDefaults(
      { type: "http", path: "/healthz" },
      { period: 20, successThreshold: 2, failureThreshold: 2 },
    );
    const prober = createProber(probe, { port }, "readiness");
    const seen: ProbeTransition["type"][] = [];
    prober.onTransition((transition) => seen.push(transition.type));
    prober.start();
    await until(() => seen.length === 1);
    expect(checks).toBeGreaterThanOrEqual(2);
    healthy = false;
    await until(() => seen.length === 2);
    healthy = true;
    await until(() => seen.length === 3);
    prober.stop();
    expect(seen).toEqual(["ready", "unready", "ready"]);
    expect(prober.lastResult).toEqual({ ok: true, message: "GET /healthz: HTTP 200" });
  });

  it("reports liveness-failed once after failureThreshold failures in a row", async () => {
    healthy = false;
    const prober = createProber(
      probeWithDefaults({ type: "http", path: "/" }, { period: 20 }),
      { port },
      "liveness",
    );
    const seen: ProbeTransition[] = [];
    prober.onTransition((transition) => seen.push(transition));
    prober.start();
    await until(() => seen.length === 1);
    expect(checks).toBe(3);
    await sleep(100);
    prober.stop();
    expect(seen).toEqual([{ type: "liveness-failed", result: { ok: false, message: "GET /: HTTP 500" } }]);
  });

  it("waits initialDelay before the first check and stops checking when stopped", async () => {
    const prober = createProber(
      probeWithDefaults({ type: "tcp" }, { initialDelay: 150, period: 20 }),
      { port },
      "readiness",
    );
    prober.start();
    await sleep(100);
    expect(prober.lastResult).toBeUndefined();
    await until(() => prober.lastResult !== undefined);
    prober.stop();
    const after = prober.lastResult;
    await sleep(80);
    expect(prober.lastResult).toBe(after);
  });

  it("ends a startup probe at its first success", async () => {
    const prober = createProber(
      probeWithDefaults({ type: "http", path: "/" }, { period: 20 }),
      { port },
      "startup",
    );
    const seen: string[] = [];
    prober.onTransition((transition) => seen.push(transition.type));
    prober.start();
    await until(() => seen.length === 1);
    await sleep(80);
    expect(seen).toEqual(["started"]);
    expect(checks).toBe(1);
  });
});
