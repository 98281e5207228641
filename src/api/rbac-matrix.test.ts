import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSpec, startTestApi, type TestApi } from "../../test/support/api-harness.js";
import { roles } from "./rbac/index.js";

/** "none" is a valid token whose user has no role anywhere. */
type Needed = "none" | (typeof roles)[number];
const ladder = ["none", ...roles] as const;

interface RouteCase {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** The route as Fastify declares it, for the coverage check against the OpenAPI document. */
  route: string;
  url: string;
  body?: unknown;
  /** Send a (tiny, not really gzip) upload body as application/gzip. */
  gzip?: boolean;
  needs: Needed;
}

function injectOptions(c: RouteCase) {
  if (c.gzip) {
    return {
      method: c.method,
      url: c.url,
      payload: Buffer.from("not really a tarball"),
      headers: { "content-type": "application/gzip" },
    };
  }
  return { method: c.method, url: c.url, payload: c.body as object };
}

const cases: RouteCase[] = [
  { method: "GET", route: "/api/v1/whoami", url: "/api/v1/whoami", needs: "none" },
  { method: "GET", route: "/api/v1/tokens", url: "/api/v1/tokens", needs: "none" },
  { method: "GET", route: "/api/v1/tokens", url: "/api/v1/tokens?all=true", needs: "admin" },
  { method: "POST", route: "/api/v1/tokens", url: "/api/v1/tokens", body: { name: "ci" }, needs: "none" },
  {
    method: "POST",
    route: "/api/v1/tokens",
    url: "/api/v1/tokens",
    body: { name: "for-admin", user: "admin" },
    needs: "admin",
  },
  { method: "DELETE", route: "/api/v1/tokens/:id", url: "/api/v1/tokens/tok_missing", needs: "none" },
  { method: "GET", route: "/api/v1/users", url: "/api/v1/users", needs: "admin" },
  {
    method: "POST",
    route: "/api/v1/users",
    url: "/api/v1/users",
    body: { name: "newcomer" },
    needs: "admin",
  },
  {
    method: "PUT",
    route: "/api/v1/users/:name/roles/:environment",
    url: "/api/v1/users/admin/roles/staging",
    body: { role: "viewer" },
    needs: "admin",
  },
  {
    method: "DELETE",
    route: "/api/v1/users/:name/roles/:environment",
    url: "/api/v1/users/admin/roles/qa",
    needs: "admin",
  },
  { method: "GET", route: "/api/v1/services", url: "/api/v1/services", needs: "viewer" },
  {
    method: "POST",
    route: "/api/v1/validate",
    url: "/api/v1/validate",
    body: { source: sampleSpec() },
    needs: "none",
  },
  {
    method: "PUT",
    route: "/api/v1/services/:name",
    url: "/api/v1/services/hello-api",
    body: { source: sampleSpec() },
    needs: "developer",
  },
  { method: "GET", route: "/api/v1/services/:name", url: "/api/v1/services/hello-api", needs: "viewer" },
  {
    method: "GET",
    route: "/api/v1/services/:name/status",
    url: "/api/v1/services/hello-api/status",
    needs: "viewer",
  },
  { method: "DELETE", route: "/api/v1/services/:name", url: "/api/v1/services/not-there", needs: "admin" },
  {
    method: "GET",
    route: "/api/v1/services/:name/secrets",
    url: "/api/v1/services/hello-api/secrets",
    needs: "viewer",
  },
  {
    method: "PUT",
    route: "/api/v1/services/:name/secrets/:key",
    url: "/api/v1/services/hello-api/secrets/API_KEY",
    body: { value: "s3cret", environment: "staging" },
    needs: "developer",
  },
  {
    method: "PUT",
    route: "/api/v1/services/:name/secrets/:key",
    url: "/api/v1/services/hello-api/secrets/API_KEY",
    body: { value: "s3cret", environment: "production" },
    needs: "deployer",
  },
  {
    method: "PUT",
    route: "/api/v1/services/:name/secrets/:key",
    url: "/api/v1/services/hello-api/secrets/API_KEY",
    body: { value: "s3cret" },
    needs: "deployer",
  },
  {
    method: "DELETE",
    route: "/api/v1/services/:name/secrets/:key",
    url: "/api/v1/services/hello-api/secrets/NOPE?environment=staging",
    needs: "developer",
  },
  { method: "GET", route: "/api/v1/events", url: "/api/v1/events", needs: "viewer" },
  { method: "GET", route: "/api/v1/audit", url: "/api/v1/audit", needs: "admin" },
  {
    method: "POST",
    route: "/api/v1/services/:name/releases",
    url: "/api/v1/services/hello-api/releases?deploy=staging",
    gzip: true,
    needs: "developer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/releases",
    url: "/api/v1/services/hello-api/releases?deploy=production",
    gzip: true,
    // A developer may ask: the deploy then waits for a deployer's approval.
    needs: "developer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/releases",
    url: "/api/v1/services/hello-api/releases",
    gzip: true,
    needs: "developer",
  },
  {
    method: "GET",
    route: "/api/v1/services/:name/releases",
    url: "/api/v1/services/hello-api/releases",
    needs: "viewer",
  },
  {
    method: "GET",
    route: "/api/v1/services/:name/releases/:version",
    url: "/api/v1/services/hello-api/releases/99",
    needs: "viewer",
  },
  {
    method: "GET",
    route: "/api/v1/services/:name/releases/:version/build-log",
    url: "/api/v1/services/hello-api/releases/99/build-log",
    needs: "viewer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/deployments",
    url: "/api/v1/services/hello-api/deployments",
    body: { environment: "staging" },
    needs: "developer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/deployments",
    url: "/api/v1/services/hello-api/deployments",
    body: { environment: "production" },
    // A developer may ask: the deploy then waits for a deployer's approval.
    needs: "developer",
  },
  {
    method: "GET",
    route: "/api/v1/services/:name/deployments",
    url: "/api/v1/services/hello-api/deployments",
    needs: "viewer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/rollback",
    url: "/api/v1/services/hello-api/rollback",
    body: { environment: "staging" },
    needs: "developer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/rollback",
    url: "/api/v1/services/hello-api/rollback",
    body: { environment: "production" },
    needs: "deployer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/restart",
    url: "/api/v1/services/hello-api/restart",
    body: { environment: "staging" },
    needs: "developer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/scale",
    url: "/api/v1/services/hello-api/scale",
    body: { environment: "staging", replicas: 0 },
    needs: "developer",
  },
  {
    method: "POST",
    route: "/api/v1/services/:name/scale",
    url: "/api/v1/services/hello-api/scale",
    body: { environment: "production", replicas: 0 },
    needs: "deployer",
  },
  {
    method: "GET",
    route: "/api/v1/deployments",
    url: "/api/v1/deployments?status=awaiting_approval",
    needs: "viewer",
  },
  {
    method: "POST",
    route: "/api/v1/deployments/:id/approve",
    url: "/api/v1/deployments/dep_missing/approve",
    needs: "deployer",
  },
  {
    method: "POST",
    route: "/api/v1/deployments/:id/reject",
    url: "/api/v1/deployments/dep_missing/reject",
    body: { reason: "not today" },
    needs: "deployer",
  },
  {
    method: "GET",
    route: "/api/v1/deployments/:id",
    url: "/api/v1/deployments/dep_missing",
    needs: "viewer",
  },
  {
    method: "GET",
    route: "/api/v1/deployments/:id/wait",
    url: "/api/v1/deployments/dep_missing/wait",
    needs: "viewer",
  },
  {
    method: "GET",
    route: "/api/v1/services/:name/logs",
    url: "/api/v1/services/hello-api/logs",
    needs: "viewer",
  },
  // The test API is not started by `slipway up`, so an admin gets 409 here rather than a shutdown.
  { method: "POST", route: "/api/v1/platform/down", url: "/api/v1/platform/down", needs: "admin" },
];

/** Routes checked elsewhere: public ones, and the live stream (checked over real HTTP in event-stream.test.ts). */
const notInMatrix = new Set([
  "GET /healthz",
  "GET /readyz",
  "GET /api/v1/version",
  "GET /api/v1/schema/slipway.json",
  "GET /api/v1/events/stream",
]);

describe("RBAC: every role against every route", () => {
  let api: TestApi;
  const tokens = new Map<Needed, string>();

  beforeAll(async () => {
    api = await startTestApi();
    const created = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec() },
    });
    expect(created.statusCode).toBe(201);
    tokens.set("none", await api.userWith({}));
    for (const role of roles) {
      tokens.set(role, await api.userWith({ "*": role }));
    }
  });
  afterAll(() => api.close());

  it("covers every authenticated route of the OpenAPI document", async () => {
    const doc = api.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const declared = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ":$1")}`),
    );
    const covered = new Set(cases.map((c) => `${c.method} ${c.route}`));
    const missing = declared.filter((r) => !covered.has(r) && !notInMatrix.has(r));
    expect(missing).toEqual([]);
  });

  for (const c of cases) {
    for (const role of ladder) {
      const allowed = ladder.indexOf(role) >= ladder.indexOf(c.needs);
      it(`${c.method} ${c.url} ${c.body ? JSON.stringify(c.body) : ""} as ${role}: ${allowed ? "allowed" : "403"}`, async () => {
        const res = await api.call(tokens.get(role) ?? null, {
          method: c.method,
          url: c.url,
          payload: c.body as object,
        });
        expect(res.statusCode).not.toBe(401);
        if (allowed) {
          expect(res.statusCode, res.body).not.toBe(403);
          expect(res.statusCode, res.body).toBeLessThan(500);
        } else {
          expect(res.statusCode, res.body).toBe(403);
          expect(res.headers["content-type"]).toContain("application/problem+json");
          expect(res.json().detail).toContain(`"${c.needs}"`);
        }
      });
    }
  }

  it("without a token, every route in the matrix answers 401", async () => {
    for (const c of cases) {
      const res = await api.call(null, injectOptions(c));
      expect(res.statusCode, `${c.method} ${c.url}`).toBe(401);
      expect(res.headers["www-authenticate"]).toContain("Bearer");
    }
  });
});

describe("RBAC: roles bound per environment", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec() },
    });
  });
  afterAll(() => api.close());

  const setSecret = (token: string, environment?: string) =>
    api.call(token, {
      method: "PUT",
      url: "/api/v1/services/hello-api/secrets/DB_PASSWORD",
      payload: environment === undefined ? { value: "pw" } : { value: "pw", environment },
    });

  it("a developer of staging writes staging secrets but not production's or everyone's", async () => {
    const dev = await api.userWith({ staging: "developer" });
    expect((await setSecret(dev, "staging")).statusCode).toBe(200);
    expect((await setSecret(dev, "production")).statusCode).toBe(403);
    expect((await setSecret(dev)).statusCode).toBe(403);
  });

  it("a developer everywhere still needs deployer for production, which requires approval", async () => {
    const dev = await api.userWith({ "*": "developer" });
    expect((await setSecret(dev, "staging")).statusCode).toBe(200);
    const denied = await setSecret(dev, "production");
    expect(denied.statusCode).toBe(403);
    expect(denied.json().detail).toContain('"deployer"');
  });

  it("a deployer of production writes production secrets, but is nothing in staging", async () => {
    const deployer = await api.userWith({ production: "deployer" });
    expect((await setSecret(deployer, "production")).statusCode).toBe(200);
    expect((await setSecret(deployer, "staging")).statusCode).toBe(403);
  });

  it("a role bound in one environment cannot change the service spec, which reaches all of them", async () => {
    const admin = await api.userWith({ staging: "admin" });
    const res = await api.call(admin, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec() },
    });
    expect(res.statusCode).toBe(403);
  });

  it("a viewer bound in one environment may read", async () => {
    const viewer = await api.userWith({ staging: "viewer" });
    expect((await api.call(viewer, { method: "GET", url: "/api/v1/services" })).statusCode).toBe(200);
  });
});
