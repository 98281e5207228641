import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tar from "tar";

/** A tiny HTTP app: answers "<greeting> from <replica>" on /, 200 on /healthz; logs each request. */
export function greeterSource(greeting: string, options: { delayMs?: number } = {}): string {
  return `
const http = require("node:http");
const server = http.createServer((req, res) => {
  if (req.url === "/healthz") { res.end("ok"); return; }
  console.log("request " + req.url);
  setTimeout(() => res.end(${JSON.stringify(greeting)} + " from " + process.env.SLIPWAY_REPLICA), ${options.delayMs ?? 0});
});
server.keepAliveTimeout = 65000;
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log("listening on " + process.env.PORT));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
`;
}

export function specFor(name: string, extra: string[] = []): string {
  return [
    `service: ${name}`,
    "start: node server.js",
    "replicas: 2",
    "health:",
    "  readiness:",
    "    http: /healthz",
    "    period: 200ms",
    "deploy:",
    "  drainTimeout: 5s",
    "  readyTimeout: 20s",
    "environments:",
    "  staging: {}",
    ...extra,
    "",
  ].join("\n");
}

/** Writes an app directory and returns a tar.gz of it, as `slipway deploy` would upload. */
export async function packApp(files: Record<string, string>): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), "slipway-app-"));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  const chunks: Buffer[] = [];
  const stream = tar.c({ gzip: true, cwd: dir, portable: true }, Object.keys(files));
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A tar.gz of a whole directory (the examples), as `slipway deploy` would upload it. */
export async function packDir(dir: string): Promise<Buffer> {
  const { readdir } = await import("node:fs/promises");
  const entries = await readdir(dir);
  const chunks: Buffer[] = [];
  for await (const chunk of tar.c(
    { gzip: true, cwd: dir, portable: true },
    entries,
  ) as AsyncIterable<Buffer>) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A two-replica service `birdy` that deploys as a canary of one 50% step, then `deploy` settings. */
export function canarySpec(pause: string, deploy: string[] = ["drainTimeout: 2s"]): string {
  return [
    "service: birdy",
    "start: node server.js",
    "replicas: 2",
    "health:",
    "  readiness: { http: /healthz, period: 100ms }",
    "deploy:",
    "  strategy: canary",
    "  canary:",
    "    steps:",
    `      - { weight: 50, pause: ${pause} }`,
    "  readyTimeout: 20s",
    ...deploy.map((line) => `  ${line}`),
    "environments:",
    "  staging: {}",
    "",
  ].join("\n");
}
