import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A one-replica Node service with a fast readiness probe on /healthz, as most CLI tests deploy;
 * `deploy` lines go under `deploy:`, `environments` lines under `environments:` after staging.
 */
export function probedServiceSpec(
  service: string,
  options: { deploy?: string[]; environments?: string[] } = {},
): string {
  return [
    `service: ${service}`,
    "start: node server.js",
    "replicas: 1",
    "health:",
    "  readiness:",
    "    http: /healthz",
    "    period: 200ms",
    ...(options.deploy === undefined ? [] : ["deploy:", ...options.deploy.map((line) => `  ${line}`)]),
    "environments:",
    "  staging: {}",
    ...(options.environments ?? []).map((line) => `  ${line}`),
    "",
  ].join("\n");
}

/** Writes a service directory (`server.js` and `slipway.yaml`) under `parent`; returns its path. */
export async function writeAppDir(
  parent: string,
  name: string,
  server: string,
  spec: string,
): Promise<string> {
  const dir = join(parent, name);
  await mkdir(dir);
  await writeFile(join(dir, "server.js"), server);
  await writeFile(join(dir, "slipway.yaml"), spec);
  return dir;
}
