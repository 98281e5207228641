import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSpec, startTestApi, type TestApi } from "../../test/support/api-harness.js";

describe("audit log", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it("records every mutating request: who, what, where from, and the result", async () => {
    const viewer = await api.userWith({ "*": "viewer" }, "vera");
    await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec() },
      headers: { "x-request-id": "req-apply-1" },
    });
    await api.call(viewer, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec() },
    });
    await api.call(null, { method: "DELETE", url: "/api/v1/services/hello-api" });
    // Reads are not audited.
    await api.call(api.adminToken, { method: "GET", url: "/api/v1/services" });

    const res = await api.call(api.adminToken, { method: "GET", url: "/api/v1/audit" });
    const entries = res.json().entries as {
      actor: string | null;
      action: string;
      result: string;
      status: number;
      requestId: string;
      ip: string;
      target: string;
    }[];
    expect(entries.map((e) => [e.actor, e.action, e.status, e.result])).toEqual([
      [null, "DELETE /api/v1/services/:name", 401, "denied"],
      ["vera", "PUT /api/v1/services/:name", 403, "denied"],
      ["admin", "PUT /api/v1/services/:name", 201, "success"],
    ]);
    expect(entries[2]?.requestId).toBe("req-apply-1");
    expect(entries[2]?.target).toBe("/api/v1/services/hello-api");
    expect(entries[2]?.ip).toBe("127.0.0.1");
  });

  it("never records a secret value", async () => {
    await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api/secrets/TOKEN",
      payload: { value: "very-secret-value-123", environment: "staging" },
    });
    const audit = await api.ctx.store.db.selectFrom("audit").selectAll().execute();
    const events = await api.ctx.store.db.selectFrom("events").selectAll().execute();
    expect(JSON.stringify(audit)).not.toContain("very-secret-value-123");
    expect(JSON.stringify(events)).not.toContain("very-secret-value-123");
    expect(events.some((e) => e.kind === "secret.set")).toBe(true);
  });

  it("says which environment a DELETE of a secret was for, and nothing else of its query", async () => {
    await api.call(api.adminToken, {
      method: "DELETE",
      url: "/api/v1/services/hello-api/secrets/TOKEN?environment=staging&note=not-logged",
    });
    const res = await api.call(api.adminToken, { method: "GET", url: "/api/v1/audit" });
    const [latest] = res.json().entries as { action: string; target: string }[];
    expect(latest).toMatchObject({
      action: "DELETE /api/v1/services/:name/secrets/:key",
      target: "/api/v1/services/hello-api/secrets/TOKEN?environment=staging",
    });
  });
});
