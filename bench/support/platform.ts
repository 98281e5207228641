/**
 * The built platform (dist/) in its own process on a fresh data dir, with a small client for the
 * benchmarks: apply a spec, upload a source tree, wait for deployments. Run `npm run build` first.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import * as tar from "tar";

const entry = fileURLToPath(new URL("../../test/run/support/platform-process.mjs", import.meta.url));

export interface BenchPlatform {
  url: string;
  routerUrl: string;
  token: string;
  child: ChildProcess;
  call<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Applies dir/slipway.yaml and uploads dir as a release deployed to `environment`; resolves when live. */
  deployDir(dir: string, environment: string): Promise<{ version: number; deploymentId: string; ms: number }>;
  /** Deploys an already built release (no upload, no build); resolves when live. */
  deployRelease(service: string, version: number, environment: string): Promise<{ ms: number }>;
  stop(): Promise<void>;
}

export async function packDir(dir: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of tar.c(
    { gzip: true, cwd: dir, portable: true },
    await readdir(dir),
  ) as AsyncIterable<Buffer>) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** `env`: more environment for the platform process (e.g. `SLIPWAY_ROUTER_IN_PROCESS=1`). */
export async function startBenchPlatform(env: Record<string, string> = {}): Promise<BenchPlatform> {
  const home = await mkdtemp(join(tmpdir(), "slipway-bench-"));
  const child = spawn(process.execPath, [entry], {
    env: { ...process.env, ...env, SLIPWAY_HOME: home },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const [line] = (await once(createInterface({ input: child.stdout as NodeJS.ReadableStream }), "line")) as [
    string,
  ];
  const { url, routerUrl, adminToken } = JSON.parse(line) as {
    url: string;
    routerUrl: string;
    adminToken: string;
  };
  const headers = { authorization: `Bearer ${adminToken}` };
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status >= 400) {
      throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as T;
  };
  const waitDeployment = async (id: string) => {
    const { deployment } = await call<{ deployment: { status: string; reason: string | null } }>(
      "GET",
      `/api/v1/deployments/${id}/wait?timeout=120s`,
    );
    if (deployment.status !== "succeeded") {
      throw new Error(`deployment ${id} ${deployment.status}: ${deployment.reason}`);
    }
  };
  return {
    url,
    routerUrl,
    token: adminToken,
    child,
    call,
    async deployDir(dir, environment) {
      const spec = await readFile(join(dir, "slipway.yaml"), "utf8");
      const service = /^service:\s*(\S+)/m.exec(spec)?.[1] ?? "";
      await call("PUT", `/api/v1/services/${service}`, { source: spec });
      const started = performance.now();
      const upload = await fetch(`${url}/api/v1/services/${service}/releases?deploy=${environment}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/gzip" },
        body: await packDir(dir),
      });
      const { release } = (await upload.json()) as { release: { version: number } };
      for (;;) {
        const r = await call<{ release: { status: string; deployment: { id: string } | null } }>(
          "GET",
          `/api/v1/services/${service}/releases/${release.version}`,
        );
        if (r.release.status === "failed") {
          throw new Error(`build of v${release.version} failed`);
        }
        if (r.release.deployment) {
          await waitDeployment(r.release.deployment.id);
          return {
            version: release.version,
            deploymentId: r.release.deployment.id,
            ms: performance.now() - started,
          };
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async deployRelease(service, version, environment) {
      const started = performance.now();
      const { deployment } = await call<{ deployment: { id: string } }>(
        "POST",
        `/api/v1/services/${service}/deployments`,
        {
          environment,
          release: version,
        },
      );
      await waitDeployment(deployment.id);
      return { ms: performance.now() - started };
    },
    async stop() {
      await fetch(`${url}/api/v1/platform/down`, { method: "POST", headers }).catch(() => undefined);
      if (child.exitCode === null) {
        await once(child, "exit");
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}
