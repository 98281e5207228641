import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { platformLockKey } from "../../src/store/postgres-instance-lock.js";
import { packApp } from "../run/apps.js";
import { clientFor, viaRouter } from "../run/platform-client.js";
import { createFreshDatabase, engineAvailable, type FreshDatabase } from "../support/store-engines.js";
import { type CliSandbox, createCliSandbox } from "./support/slipway-cli.js";
import { startUp } from "./support/start-up.js";

/** Answers `/slow` only after a minute: a request in flight holds a rollout in its drain. */
const app = (version: string) => `
const http = require("node:http");
const server = http.createServer((req, res) => {
  if (req.url === "/slow") { setTimeout(() => res.end("slow"), 60000); return; }
  res.end(${JSON.stringify(version)});
});
server.listen(Number(process.env.PORT), "127.0.0.1");
`;

const spec = [
  "service: lingers",
  "start: node server.js",
  "replicas: 1",
  "health:",
  "  readiness: { http: /, period: 200ms }",
  "deploy:",
  "  drainTimeout: 2m",
  "environments:",
  "  staging: {}",
  "",
].join("\n");

describe.skipIf(!engineAvailable("postgres"))(
  "slipway up on PostgreSQL, when its lock session is cut",
  () => {
    let cli: CliSandbox;
    let database: FreshDatabase;
    beforeAll(async () => {
      cli = await createCliSandbox();
      database = await createFreshDatabase("postgres");
    });
    afterAll(async () => {
      await cli?.cleanup();
      await database?.dispose();
    });

    it("exits 1 at once, even while a rollout drains, and its replicas keep serving", async () => {
      const pg = await import("pg");
      const dataDir = join(cli.dir, "data");
      const env = { ...cli.env, SLIPWAY_DATABASE_URL: database.options.databaseUrl };
      const up = await startUp({ ...cli, env }, dataDir);
      const adminToken = up.banner.match(/^ {2}(slp_[A-Za-z0-9]{40})$/m)?.[1] ?? "";
      const routerUrl = up.banner.match(/services: +(http:\/\/127\.0\.0\.1:\d+)/)?.[1] ?? "";
      const client = clientFor({ url: up.url, adminToken });
      const admin = new pg.default.Client({ connectionString: database.options.databaseUrl });
      try {
        await client.apply("lingers", spec);
        expect(
          (await client.deploy("lingers", await packApp({ "server.js": app("v1") }))).deployment?.status,
        ).toBe("succeeded");
        const host = "lingers.staging.localhost";
        void viaRouter(routerUrl, host, "/slow").catch(() => undefined);
        void client.deploy("lingers", await packApp({ "server.js": app("v2") })).catch(() => undefined);
        // v2 is in, v1 is out of rotation and draining its slow request.
        for (let i = 0; i < 200; i++) {
          const { body } = await client.call<{ events: { data: { step?: string } }[] }>(
            "GET",
            "/api/v1/events?service=lingers&kind=deployment.step&limit=50",
          );
          if (body.events.some((event) => event.data.step === "route-out")) {
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await admin.connect();
        const cut = Date.now();
        await admin.query(
          "select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and objid = $1",
          [platformLockKey],
        );
        expect(await up.exited).toBe(1);
        // The lock's heartbeat notices within its 10 s period; the drain would have taken 2 minutes.
        expect(Date.now() - cut).toBeLessThan(15_000);
        // Nothing stopped the replicas: the next platform adopts v1's, which still serves, and
        // fails the interrupted rollout, as after a kill -9.
        const next = await startUp({ ...cli, env }, dataDir);
        try {
          const nextRouter = next.banner.match(/services: +(http:\/\/127\.0\.0\.1:\d+)/)?.[1] ?? "";
          expect((await viaRouter(nextRouter, host)).text).toBe("v1");
          const { body } = await clientFor({ url: next.url, adminToken }).call<{
            deployments: { service: string; release: number; status: string; reason: string | null }[];
          }>("GET", "/api/v1/deployments");
          expect(body.deployments.find((d) => d.service === "lingers" && d.release === 2)).toMatchObject({
            status: "failed",
            reason: expect.stringMatching(/^interrupted: the platform stopped during the rollout/),
          });
        } finally {
          await cli.run(["down", "--url", next.url, "--token", adminToken]);
          next.child.kill("SIGTERM");
          await next.exited;
        }
      } finally {
        up.child.kill("SIGKILL");
        await admin.end();
      }
    }, 90_000);
  },
);
