import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCheck } from "./probe-checks.js";

/** A real HTTP server whose answer each path decides: /status/503, /hang (never answers). */
let server: Server;
let port: number;
let closedPort: number;

beforeAll(async () => {
  server = createServer((request, response) => {
    const status = /^\/status\/(\d+)$/.exec(request.url ?? "")?.[1];
    if (request.url === "/hang") {
      return;
    }
    response.statusCode = Number(status ?? 200);
    response.end("body");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
  // A port that was free a moment ago and has nothing listening now.
  const scratch = createTcpServer();
  await new Promise<void>((resolve) => scratch.listen(0, "127.0.0.1", resolve));
  closedPort = (scratch.address() as { port: number }).port;
  await new Promise((resolve) => scratch.close(resolve));
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe("http check", () => {
  it("passes on 2xx and 3xx and fails on other statuses, naming the status", async () => {
    expect(await runCheck({ type: "http", path: "/healthz" }, { port }, 1000)).toEqual({
      ok: true,
      message: "GET /healthz: HTTP 200",
    });
    expect((await runCheck({ type: "http", path: "/status/302" }, { port }, 1000)).ok).toBe(true);
    expect(await runCheck({ type: "http", path: "/status/503" }, { port }, 1000)).toEqual({
      ok: false,
      message: "GET /status/503: HTTP 503",
    });
    expect((await runCheck({ type: "http", path: "/status/404" }, { port }, 1000)).ok).toBe(false);
  });

  it("fails after the timeout when nothing answers", async () => {
    const began = Date.now();
    const result = await runCheck({ type: "http", path: "/hang" }, { port }, 200);
    expect(result).toEqual({ ok: false, message: "GET /hang: timed out after 200 ms" });
    expect(Date.now() - began).toBeLessThan(1000);
  });

  it("fails when nothing listens, and probes the check's own port when it has one", async () => {
    const refused = await runCheck({ type: "http", path: "/" }, { port: closedPort }, 1000);
    expect(refused.ok).toBe(false);
    expect(refused.message).toContain("ECONNREFUSED");
    expect((await runCheck({ type: "http", path: "/", port }, { port: closedPort }, 1000)).ok).toBe(true);
  });
});

describe("tcp check", () => {
  it("passes when a connection opens and fails when it is refused", async () => {
    expect(await runCheck({ type: "tcp" }, { port }, 1000)).toEqual({
      ok: true,
      message: `tcp ${port}: connected`,
    });
    const refused = await runCheck({ type: "tcp" }, { port: closedPort }, 1000);
    expect(refused.ok).toBe(false);
  });
});

describe("command check", () => {
  const dir = mkdtempSync(join(tmpdir(), "slipway-probe-"));
  writeFileSync(join(dir, "marker"), "");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("passes on exit 0, in the replica's directory and environment with PORT", async () => {
    const check = {
      type: "command" as const,
      command: 'test -f marker && test "$PORT" = 4321 && test "$MODE" = on',
    };
    expect(
      (await runCheck(check, { port: 4321, cwd: dir, env: { MODE: "on", PATH: "/usr/bin:/bin" } }, 2000)).ok,
    ).toBe(true);
  });

  it("fails on another exit status, with what the command said", async () => {
    const result = await runCheck(
      { type: "command", command: "echo database down; exit 2" },
      { port: 1 },
      2000,
    );
    expect(result).toEqual({ ok: false, message: "command exited 2: database down" });
  });

  it("fails after the timeout and kills the command", async () => {
    const began = Date.now();
    const result = await runCheck({ type: "command", command: "sleep 5" }, { port: 1 }, 200);
    expect(result.ok).toBe(false);
    expect(result.message).toBe("command timed out after 200 ms");
    expect(Date.now() - began).toBeLessThan(1500);
  });
});
