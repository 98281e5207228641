import { mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPlatform, startPlatform } from "../../src/api/index.js";
import {
  createFreshDatabase,
  engineAvailable,
  type FreshDatabase,
  STORE_ENGINES,
} from "../support/store-engines.js";
import { greeterSource, packApp, specFor } from "./apps.js";
import { clientFor, viaRouter } from "./platform-client.js";

// The whole deploy path on both state stores: the controller's queries must read the same from each.
describe.each(STORE_ENGINES.filter(engineAvailable))(
  "deploying a service end to end on %s (real processes, router and HTTP)",
  (engine) => {
    let home: string;
    let database: FreshDatabase;
    let platform: RunningPlatform;
    let client: ReturnType<typeof clientFor>;
    const host = "greeter.staging.localhost";

    beforeAll(async () => {
      home = await mkdtemp(join(tmpdir(), "slipway-run-"));
      database = await createFreshDatabase(engine);
      platform = await startPlatform({
        home,
        ...(database.options.databaseUrl ? { databaseUrl: database.options.databaseUrl } : {}),
        port: 0,
        routerPort: 0,
        logLevel: "silent",
        stopReplicasOnClose: true,
      });
      client = clientFor(platform);
      await client.apply("greeter", specFor("greeter"));
    }, 60_000);
    afterAll(async () => {
      await platform?.close();
      await database?.dispose();
      await rm(home, { recursive: true, force: true });
    });

    it("builds, rolls out two replicas and serves them through the router", async () => {
      const archive = await packApp({
        "server.js": greeterSource("hello v1"),
        "slipway.yaml": specFor("greeter"),
        "build.sh": "echo building; echo built > built.txt",
      });
      const { deployment } = await client.deploy("greeter", archive);
      expect(deployment?.status, JSON.stringify(deployment)).toBe("succeeded");

      const seen = new Set<string>();
      for (let i = 0; i < 10; i++) {
        const res = await viaRouter(platform.routerUrl, host);
        expect(res.status).toBe(200);
        expect(res.text).toMatch(/^hello v1 from rep_/);
        seen.add(res.text);
      }
      expect(seen.size).toBe(2);

      const status = await client.status("greeter");
      const staging = status.environments[0];
      expect(staging?.release?.version).toBe(1);
      expect(staging?.desiredReplicas).toBe(2);
      expect(staging?.replicas.filter((r) => r.ready)).toHaveLength(2);
      expect(staging?.url).toMatch(/^http:\/\/greeter\.staging\.localhost:\d+$/);
    });

    it("answers an unknown host with a clear 404 from the router", async () => {
      const res = await viaRouter(platform.routerUrl, "nobody.staging.localhost");
      expect(res.status).toBe(404);
      expect(res.text).toContain("nobody.staging.localhost");
    });

    it("captures replica output as logs, filterable", async () => {
      const res = await client.call<{ lines: { line: string; replica: string; stream: string }[] }>(
        "GET",
        "/api/v1/services/greeter/logs?environment=staging&grep=request",
      );
      expect(res.status).toBe(200);
      expect(res.body.lines.length).toBeGreaterThanOrEqual(10);
      expect(res.body.lines.every((l) => l.line.includes("request"))).toBe(true);
      expect(res.body.lines[0]?.stream).toBe("stdout");
    });

    it("rolls out v2 with zero failed requests under steady load", async () => {
      let failures = 0;
      let ok = 0;
      let running = true;
      const load = (async () => {
        while (running) {
          await Promise.all(
            Array.from({ length: 4 }, async () => {
              const res = await viaRouter(platform.routerUrl, host).catch(() => ({ status: 0, text: "" }));
              if (res.status === 200) {
                ok += 1;
              } else {
                failures += 1;
              }
            }),
          );
        }
      })();
      const archive = await packApp({
        "server.js": greeterSource("hello v2", { delayMs: 20 }),
        "slipway.yaml": specFor("greeter"),
      });
      const { deployment } = await client.deploy("greeter", archive);
      running = false;
      await load;
      expect(deployment?.status).toBe("succeeded");
      expect(failures).toBe(0);
      expect(ok).toBeGreaterThan(20);
      expect((await viaRouter(platform.routerUrl, host)).text).toMatch(/^hello v2/);
    });

    it("rolls a release that crashes at start back automatically, with its last log lines", async () => {
      const archive = await packApp({
        "server.js": 'console.error("cannot connect to the database"); process.exit(3);',
        "slipway.yaml": specFor("greeter"),
      });
      const { deployment, version } = await client.deploy("greeter", archive);
      expect(version).toBe(3);
      expect(deployment?.status).toBe("failed");
      expect(deployment?.failure?.exitCode).toBe(3);
      expect(deployment?.failure?.lastLog).toContain("cannot connect to the database");
      expect((await viaRouter(platform.routerUrl, host)).text).toMatch(/^hello v2/);
      const status = await client.status("greeter");
      expect(status.environments[0]?.release?.version).toBe(2);
      expect(status.environments[0]?.replicas.map((r) => r.state)).toEqual(["Ready", "Ready"]);
    });

    it("rolls back to v1 without rebuilding, then scales", async () => {
      const res = await client.call<{ deployment: { id: string } }>(
        "POST",
        "/api/v1/services/greeter/rollback",
        {
          environment: "staging",
        },
      );
      expect(res.status).toBe(202);
      const done = await client.call<{ deployment: { status: string; release: number } }>(
        "GET",
        `/api/v1/deployments/${res.body.deployment.id}/wait?timeout=60s`,
      );
      expect(done.body.deployment).toMatchObject({ status: "succeeded", release: 1 });
      expect((await viaRouter(platform.routerUrl, host)).text).toMatch(/^hello v1/);

      const scaled = await client.call("POST", "/api/v1/services/greeter/scale", {
        environment: "staging",
        replicas: 1,
      });
      expect(scaled.status).toBe(200);
      const status = await client.status("greeter");
      expect(status.environments[0]?.replicas).toHaveLength(1);
      expect(status.environments[0]?.desiredReplicas).toBe(1);
    });

    it("injects declared secrets into replicas and masks them in the logs", async () => {
      const spec = specFor("greeter").replace(
        "start: node server.js",
        "start: node server.js\nsecrets: [API_KEY]",
      );
      await client.apply("greeter", spec);
      const set = await client.call("PUT", "/api/v1/services/greeter/secrets/API_KEY", {
        value: "sk-live-0123456789",
        environment: "staging",
      });
      expect(set.status).toBe(200);
      const printsSecret = `console.log("using key " + process.env.API_KEY);\n${greeterSource("hello v4")}`;
      const { deployment } = await client.deploy(
        "greeter",
        await packApp({ "server.js": printsSecret, "slipway.yaml": spec }),
      );
      expect(deployment?.status).toBe("succeeded");
      const logs = await client.call<{ lines: { line: string }[] }>(
        "GET",
        "/api/v1/services/greeter/logs?environment=staging&grep=using%20key",
      );
      expect(logs.body.lines.length).toBeGreaterThan(0);
      expect(logs.body.lines.every((l) => l.line === "using key ***")).toBe(true);
      expect(JSON.stringify(logs.body)).not.toContain("sk-live-0123456789");
    });

    it("masks secrets in a failed deploy's last log lines too", async () => {
      const spec = specFor("greeter").replace(
        "start: node server.js",
        "start: node server.js\nsecrets: [API_KEY]",
      );
      const leaks = 'console.error("bad key " + process.env.API_KEY); process.exit(2);';
      const { deployment } = await client.deploy(
        "greeter",
        await packApp({ "server.js": leaks, "slipway.yaml": spec }),
      );
      expect(deployment?.status).toBe("failed");
      expect(deployment?.failure?.lastLog).toContain("bad key ***");
      const events = await client.call("GET", "/api/v1/events?service=greeter&limit=1000");
      expect(JSON.stringify(events.body)).not.toContain("sk-live-0123456789");
    });

    it("refuses to roll back to a release whose build is gone from disk, saying how to rebuild it", async () => {
      const app = join(home, "releases", "greeter", "v2", "app");
      const kept = `${app}.kept`;
      await rename(app, kept);
      try {
        const res = await client.call<{ detail: string }>("POST", "/api/v1/services/greeter/rollback", {
          environment: "staging",
          to: 2,
        });
        expect(res.status).toBe(409);
        expect(res.body.detail).toBe(
          `Release v2's build is missing from disk (${app}); deploy the same source again with \`slipway deploy\` to rebuild it.`,
        );
      } finally {
        await rename(kept, app);
      }
    });

    it("serves Prometheus metrics of the router and of every replica", async () => {
      const text = await (await fetch(`${platform.url}/metrics`)).text();
      expect(text).toMatch(/slipway_http_requests_total\{[^}]*service="greeter"[^}]*\} \d+/);
      expect(text).toContain("slipway_http_request_duration_seconds_bucket");
      expect(text).toMatch(
        /slipway_replica_memory_rss_bytes\{service="greeter",environment="staging",release="v\d+",replica="rep_\w+"\} [1-9]\d+/,
      );
      expect(text).toMatch(/slipway_replica_ready\{service="greeter"[^}]*\} 1/);
      expect(text).toMatch(/slipway_replica_cpu_seconds_total\{service="greeter"[^}]*\} [\d.]+/);
    });
  },
);
