/**
 * Helpers for the runtime's tests (excluded from the build like every *.case.ts): real HTTP
 * requests, polling with a deadline, and the example apps under testdata/apps.
 */
import { cpSync } from "node:fs";
import { request } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LogLine, ReplicaSpec } from "./runtime.js";

/** The example apps the tests run, copied into each test's directory. */
export const APPS_DIR = fileURLToPath(new URL("./testdata/apps", import.meta.url));

/** Copies the example apps into `dir`/app and returns that directory. */
export function copyApps(dir: string): string {
  const target = join(dir, "app");
  cpSync(APPS_DIR, target, { recursive: true });
  return target;
}

/** A replica spec with test defaults; `overrides` wins. */
export function specFor(
  workDir: string,
  appDir: string,
  overrides: Partial<ReplicaSpec> & { id: string },
): ReplicaSpec {
  return {
    service: "hello",
    environment: "test",
    release: "r1",
    command: "true",
    cwd: appDir,
    env: {},
    resources: {},
    logDir: join(workDir, "logs", overrides.id),
    ...overrides,
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 10_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** GET http://127.0.0.1:port/path; resolves with status and body, rejects when nothing answers. */
export function httpGet(port: number, path = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, timeout: 2000, agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body += chunk;
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** Waits until the replica answers HTTP on its port. */
export function waitForHttp(
  port: number,
  path = "/",
  timeoutMs = 10_000,
): Promise<{ status: number; body: string }> {
  return waitFor(
    () => httpGet(port, path).catch(() => undefined),
    timeoutMs,
    `an HTTP answer on 127.0.0.1:${port}${path}`,
  );
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Collects an async iterable of log lines into an array. */
export async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const all: LogLine[] = [];
  for await (const line of lines) {
    all.push(line);
  }
  return all;
}

/** A shell word for an absolute path (the tests' own commands, not user input). */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
