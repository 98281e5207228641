import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Kysely } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSpec } from "../../test/support/api-harness.js";
import { createFreshDatabase, engineAvailable } from "../../test/support/store-engines.js";
import { currentSchemaVersion, openStore, StoreError } from "../store/index.js";
import { migrateTo } from "../store/migrations/index.js";
import { platformLockKey } from "../store/postgres-instance-lock.js";
import { DataDirLockedError } from "./data-dir-lock.js";
import { type RunningPlatform, startPlatform } from "./platform.js";

/** Reads server-sent events from a real HTTP response until `count` have arrived. */
async function readEvents(
  res: Response,
  count: number,
): Promise<{ id: string; event: string; data: { kind: string } }[]> {
  const reader = res.body?.getReader();
  if (!reader) {
    throw new Error("no body");
  }
  const decoder = new TextDecoder();
  const events: { id: string; event: string; data: { kind: string } }[] = [];
  let buffer = "";
  while (events.length < count) {
    const { value, done } = await reader.read();
    if (done) {
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end !== -1) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const fields = Object.fromEntries(
        frame
          .split("\n")
          .filter((l) => !l.startsWith(":") && l.includes(": "))
          .map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]),
      );
      if (fields.data !== undefined) {
        events.push({ id: fields.id ?? "", event: fields.event ?? "", data: JSON.parse(fields.data) });
      }
      end = buffer.indexOf("\n\n");
    }
  }
  await reader.cancel();
  return events;
}

describe("the platform over real HTTP", () => {
  let home: string;
  let platform: RunningPlatform;
  const auth = () => ({ authorization: `Bearer ${platform.adminToken}`, "content-type": "application/json" });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "slipway-platform-"));
    platform = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });
  });
  afterAll(async () => {
    await platform.close();
    await rm(home, { recursive: true, force: true });
  });

  it("listens on 127.0.0.1 and prints an admin token on first start", async () => {
    expect(platform.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(platform.adminToken).toMatch(/^slp_/);
    const health = await fetch(`${platform.url}/healthz`);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(`${platform.url}/readyz`)).status).toBe(200);
    expect(health.headers.get("x-request-id")).toBeTruthy();
  });

  it("creates the secret key file with mode 0600", async () => {
    const info = await stat(join(home, "secret.key"));
    expect(info.mode & 0o777).toBe(0o600);
  });

  it("streams new events, and resumes after Last-Event-ID", async () => {
    const controller = new AbortController();
    const stream = await fetch(`${platform.url}/api/v1/events/stream?service=hello-api`, {
      headers: auth(),
      signal: controller.signal,
    });
    expect(stream.headers.get("content-type")).toContain("text/event-stream");
    const put = (port: number) =>
      fetch(`${platform.url}/api/v1/services/hello-api`, {
        method: "PUT",
        headers: auth(),
        body: JSON.stringify({ source: sampleSpec().replace("port: 8080", `port: ${port}`) }),
      });
    expect((await put(8080)).status).toBe(201);
    expect((await put(8081)).status).toBe(200);
    const events = await readEvents(stream, 2);
    controller.abort();
    expect(events.map((e) => e.event)).toEqual(["service.created", "service.updated"]);

    const resumed = await fetch(`${platform.url}/api/v1/events/stream?service=hello-api`, {
      headers: { ...auth(), "last-event-id": events[0]?.id ?? "" },
    });
    const replay = await readEvents(resumed, 1);
    expect(replay.map((e) => e.event)).toEqual(["service.updated"]);
  });

  it("ends an open stream once its token is revoked, saying why, as a new request would be refused", async () => {
    const created = await fetch(`${platform.url}/api/v1/tokens`, {
      method: "POST",
      headers: auth(),
      body: JSON.stringify({ name: "dashboard-stream" }),
    });
    expect(created.status).toBe(201);
    const { token, id } = (await created.json()) as { token: string; id: string };
    const stream = await fetch(`${platform.url}/api/v1/events/stream?kind=nothing.ever`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(stream.status).toBe(200);
    const revoked = await fetch(`${platform.url}/api/v1/tokens/${id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${platform.adminToken}` },
    });
    expect(revoked.status).toBe(204);
    const started = Date.now();
    const [refusal] = await readEvents(stream, 1);
    expect(Date.now() - started).toBeLessThan(7_000);
    expect(refusal).toMatchObject({
      event: "error",
      data: { status: 401, type: "https://slipway.dev/problems/token-revoked" },
    });
  }, 15_000);

  it("refuses the stream without a token", async () => {
    const res = await fetch(`${platform.url}/api/v1/events/stream`);
    expect(res.status).toBe(401);
  });
});

describe("platform lifecycle", () => {
  it("shuts down with a stream open, and a restart keeps everything without a new admin token", async () => {
    const home = await mkdtemp(join(tmpdir(), "slipway-restart-"));
    try {
      const first = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });
      const token = first.adminToken;
      const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
      await fetch(`${first.url}/api/v1/services/hello-api`, {
        method: "PUT",
        headers,
        body: JSON.stringify({ source: sampleSpec() }),
      });
      const stream = await fetch(`${first.url}/api/v1/events/stream`, { headers });
      expect(stream.status).toBe(200);
      const started = Date.now();
      await first.close();
      expect(Date.now() - started).toBeLessThan(5000);

      const second = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });
      try {
        expect(second.adminToken).toBeNull();
        const res = await fetch(`${second.url}/api/v1/services`, { headers });
        expect(res.status).toBe(200);
        const body = (await res.json()) as { services: { name: string }[] };
        expect(body.services.map((s: { name: string }) => s.name)).toEqual(["hello-api"]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe("shutting down", () => {
  it("closes connections a client opened but never sent a request on, instead of waiting for the client", async () => {
    const home = await mkdtemp(join(tmpdir(), "slipway-spare-"));
    try {
      const platform = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });
      const { connect } = await import("node:net");
      const { port } = new URL(platform.url);
      const spare = connect(Number(port), "127.0.0.1");
      await new Promise((resolve) => spare.once("connect", resolve));
      const spareClosed = new Promise((resolve) => spare.once("close", resolve));
      // A kept-alive connection that did carry a request is closed too.
      expect((await fetch(`${platform.url}/healthz`)).status).toBe(200);
      const started = Date.now();
      await platform.close();
      await spareClosed;
      // Node's own sweep would close the spare only after its headers timeout (a minute).
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  }, 20_000);
});

describe("a first start that fails", () => {
  it("creates no admin, so the next start still shows the admin token", async () => {
    const home = await mkdtemp(join(tmpdir(), "slipway-failed-first-"));
    const { createServer } = await import("node:net");
    const blocker = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => blocker.once("listening", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(startPlatform({ home, port, routerPort: 0, logLevel: "silent" })).rejects.toMatchObject({
        code: "EADDRINUSE",
      });
      const next = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });
      try {
        expect(next.adminToken).toMatch(/^slp_/);
        const me = await fetch(`${next.url}/api/v1/whoami`, {
          headers: { authorization: `Bearer ${next.adminToken}` },
        });
        expect(me.status).toBe(200);
      } finally {
        await next.close();
      }
    } finally {
      blocker.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe("one platform per data directory and per database", () => {
  it("refuses a second platform on the same data directory, and starts once the first has stopped", async () => {
    const home = await mkdtemp(join(tmpdir(), "slipway-twice-"));
    try {
      const first = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });
      const refused = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" }).catch(
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(DataDirLockedError);
      expect((refused as Error).message).toContain(`(pid ${process.pid} on `);
      // The refused start touched nothing: the first still serves.
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      await first.close();
      const second = await startPlatform({ home, port: 0, routerPort: 0, logLevel: "silent" });
      await second.close();
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  describe.skipIf(!engineAvailable("postgres"))("on PostgreSQL", () => {
    it("refuses a second platform on the same database from another data directory", async () => {
      const database = await createFreshDatabase("postgres");
      const otherHome = await mkdtemp(join(tmpdir(), "slipway-other-"));
      const { databaseUrl } = database.options;
      try {
        const first = await startPlatform({
          ...database.options,
          port: 0,
          routerPort: 0,
          logLevel: "silent",
        });
        const refused = await startPlatform({
          home: otherHome,
          databaseUrl,
          port: 0,
          routerPort: 0,
          logLevel: "silent",
        }).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(StoreError);
        expect((refused as StoreError).code).toBe("database_in_use");
        expect((refused as Error).message).toContain(
          "Another Slipway platform is running on the PostgreSQL database",
        );
        await first.close();
        const second = await startPlatform({
          home: otherHome,
          databaseUrl,
          port: 0,
          routerPort: 0,
          logLevel: "silent",
        });
        await second.close();
      } finally {
        await rm(otherHome, { recursive: true, force: true });
        await database.dispose();
      }
    });

    it("a refused platform leaves the running one's schema alone (the lock comes before migrations)", async () => {
      const database = await createFreshDatabase("postgres");
      const running = new pg.Client({ connectionString: database.options.databaseUrl });
      try {
        // A platform of the previous version runs: its schema is one migration behind, it holds the lock.
        const old = await openStore({ ...database.options, migrate: false });
        await migrateTo(old.db as Kysely<unknown>, "0003-rollouts");
        await running.connect();
        await running.query("select pg_advisory_lock($1)", [platformLockKey]);
        const refused = await startPlatform({
          ...database.options,
          port: 0,
          routerPort: 0,
          logLevel: "silent",
        }).catch((error: unknown) => error);
        expect((refused as StoreError).code).toBe("database_in_use");
        expect(await currentSchemaVersion(old.db as Kysely<unknown>)).toBe("0003-rollouts");
        await old.close();
      } finally {
        await running.end();
        await database.dispose();
      }
    });

    it("stops when the session holding its lock is killed, so a second one can take over", async () => {
      const database = await createFreshDatabase("postgres");
      const admin = new pg.Client({ connectionString: database.options.databaseUrl });
      try {
        const platform = await startPlatform({
          ...database.options,
          port: 0,
          routerPort: 0,
          logLevel: "silent",
        });
        await admin.connect();
        const terminated = await admin.query(
          "select pg_terminate_backend(pid) as ok from pg_locks where locktype = 'advisory' and objid = $1",
          [platformLockKey],
        );
        expect(terminated.rows).toEqual([{ ok: true }]);
        let serving = true;
        for (let i = 0; i < 100 && serving; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          serving = await fetch(`${platform.url}/healthz`).then(
            () => true,
            () => false,
          );
        }
        expect(serving).toBe(false);
        const next = await startPlatform({ ...database.options, port: 0, routerPort: 0, logLevel: "silent" });
        await next.close();
      } finally {
        await admin.end();
        await database.dispose();
      }
    });
  });
});
