import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSpec, startTestApi, type TestApi } from "../../test/support/api-harness.js";

describe("services and secrets", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it("creates a service from its spec, then updates it", async () => {
    const created = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec() },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().service.environments).toEqual([
      { name: "staging", position: 0, approvalRequired: false },
      { name: "production", position: 1, approvalRequired: true },
    ]);
    const updated = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec().replace("port: 8080", "port: 9090") },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().service.spec.port).toBe(9090);

    const list = await api.call(api.adminToken, { method: "GET", url: "/api/v1/services" });
    expect(list.json().services).toEqual([
      expect.objectContaining({ name: "hello-api", environments: ["staging", "production"] }),
    ]);
  });

  it("reports status per environment before any deploy", async () => {
    const res = await api.call(api.adminToken, { method: "GET", url: "/api/v1/services/hello-api/status" });
    expect(res.statusCode).toBe(200);
    expect(res.json().environments).toEqual([
      {
        name: "staging",
        approvalRequired: false,
        url: expect.stringMatching(/^http:\/\/hello-api\.staging\.localhost:\d+$/),
        desiredReplicas: null,
        release: null,
        replicas: [],
      },
      {
        name: "production",
        approvalRequired: true,
        url: expect.any(String),
        desiredReplicas: null,
        release: null,
        replicas: [],
      },
    ]);
  });

  it("validates without applying", async () => {
    const ok = await api.call(api.adminToken, {
      method: "POST",
      url: "/api/v1/validate",
      payload: { source: sampleSpec("other") },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().valid).toBe(true);
    expect(
      (await api.call(api.adminToken, { method: "GET", url: "/api/v1/services/other" })).statusCode,
    ).toBe(404);
  });

  it("keeps secret values encrypted, never returned, and scoped to environments", async () => {
    const set = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api/secrets/DB_PASSWORD",
      payload: { value: "hunter2-production", environment: "production" },
    });
    expect(set.statusCode).toBe(200);
    expect(set.body).not.toContain("hunter2");
    const list = await api.call(api.adminToken, { method: "GET", url: "/api/v1/services/hello-api/secrets" });
    expect(list.json().secrets).toEqual([
      expect.objectContaining({ name: "DB_PASSWORD", environment: "production", updatedBy: "admin" }),
    ]);
    expect(list.body).not.toContain("hunter2");
    const rows = await api.ctx.store.db.selectFrom("secrets").selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain("hunter2");

    const unknownEnv = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api/secrets/DB_PASSWORD",
      payload: { value: "x", environment: "qa" },
    });
    expect(unknownEnv.statusCode).toBe(404);
    expect(unknownEnv.json().detail).toContain("staging, production");

    const removed = await api.call(api.adminToken, {
      method: "DELETE",
      url: "/api/v1/services/hello-api/secrets/DB_PASSWORD?environment=production",
    });
    expect(removed.statusCode).toBe(204);
    const again = await api.call(api.adminToken, {
      method: "DELETE",
      url: "/api/v1/services/hello-api/secrets/DB_PASSWORD?environment=production",
    });
    expect(again.statusCode).toBe(404);
  });

  it("rejects secret names that are not environment variable names", async () => {
    const res = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api/secrets/BAD-NAME",
      payload: { value: "x" },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe("params.key");
  });

  it("records what happened as events, filterable by service and kind", async () => {
    const res = await api.call(api.adminToken, { method: "GET", url: "/api/v1/events?service=hello-api" });
    const kinds = res.json().events.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(["service.created", "service.updated", "secret.set", "secret.deleted"]);
    const secrets = await api.call(api.adminToken, { method: "GET", url: "/api/v1/events?kind=secret.*" });
    expect(secrets.json().events.map((e: { kind: string }) => e.kind)).toEqual([
      "secret.set",
      "secret.deleted",
    ]);
    const since = await api.call(api.adminToken, {
      method: "GET",
      url: "/api/v1/events?since=1h&service=hello-api",
    });
    expect(since.json().events).toHaveLength(4);
    const bad = await api.call(api.adminToken, { method: "GET", url: "/api/v1/events?since=yesterday" });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe("query.since");
  });

  it("deletes a service (admin)", async () => {
    expect(
      (await api.call(api.adminToken, { method: "DELETE", url: "/api/v1/services/hello-api" })).statusCode,
    ).toBe(204);
    expect(
      (await api.call(api.adminToken, { method: "GET", url: "/api/v1/services/hello-api" })).statusCode,
    ).toBe(404);
  });
});
