import { request } from "undici";
import type { RunningPlatform } from "../../src/api/index.js";

/** A thin JSON client over real HTTP for the run tests. */
export function clientFor(
  platform: Pick<RunningPlatform, "url" | "adminToken">,
  token = platform.adminToken ?? "",
) {
  const headers = { authorization: `Bearer ${token}` };
  const call = async <T>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${platform.url}${path}`, {
      method,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    call,
    async apply(name: string, source: string) {
      const res = await call("PUT", `/api/v1/services/${name}`, { source });
      if (res.status >= 300) {
        throw new Error(`apply failed: ${res.status} ${JSON.stringify(res.body)}`);
      }
    },
    /** Uploads a source archive, waits for the build and the deployment it starts; returns the deployment. */
    async deploy(name: string, archive: Buffer, environment = "staging") {
      const res = await fetch(`${platform.url}/api/v1/services/${name}/releases?deploy=${environment}`, {
        method: "POST",
        headers: { ...headers, "content-type": "application/gzip" },
        body: archive,
      });
      const { release } = (await res.json()) as { release: { version: number } };
      if (res.status !== 202) {
        throw new Error(`upload failed: ${res.status}`);
      }
      for (let i = 0; i < 600; i++) {
        const r = await call<{ release: { status: string; deployment: { id: string } | null } }>(
          "GET",
          `/api/v1/services/${name}/releases/${release.version}`,
        );
        if (r.body.release.status === "failed") {
          return { version: release.version, deployment: null, buildFailed: true };
        }
        if (r.body.release.deployment) {
          const waited = await call<{ deployment: Deployment }>(
            "GET",
            `/api/v1/deployments/${r.body.release.deployment.id}/wait?timeout=60s`,
          );
          return { version: release.version, deployment: waited.body.deployment, buildFailed: false };
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error("the deployment never started");
    },
    async status(name: string) {
      return (await call<ServiceStatus>("GET", `/api/v1/services/${name}/status`)).body;
    },
  };
}

export interface Deployment {
  id: string;
  status: string;
  reason: string | null;
  release: number;
  failure?: { reason: string; exitCode?: number | null; exitReason?: string; lastLog?: string[] };
}

export interface ServiceStatus {
  environments: {
    name: string;
    url: string | null;
    desiredReplicas: number | null;
    release: { version: number } | null;
    replicas: {
      id: string;
      release: number | null;
      state: string;
      ready: boolean;
      pid: number | null;
      port: number | null;
      restarts: number;
      exitCode: number | null;
      reason: string | null;
      oom?: { limitBytes: number; peakBytes: number };
      backoffSeconds?: number;
      readinessFailure?: string;
      lastLog: string[];
    }[];
  }[];
}

/** GET through the router with the service's Host header. */
export async function viaRouter(
  routerUrl: string,
  host: string,
  path = "/",
): Promise<{ status: number; text: string }> {
  const res = await request(`${routerUrl}${path}`, { headers: { host } });
  return { status: res.statusCode, text: await res.body.text() };
}
