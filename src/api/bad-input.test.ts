import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSpec, startTestApi, type TestApi } from "../../test/support/api-harness.js";

describe("bad input never crashes the API or leaves half-written records", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const put = (url: string, payload: string | object, contentType = "application/json") =>
    api.call(api.adminToken, { method: "PUT", url, payload, headers: { "content-type": contentType } });

  it("refuses a body over 1 MiB with 413", async () => {
    const source = `service: big\nstart: x\nenv:\n${"  K: v\n".repeat(2_000_000)}`;
    const res = await put("/api/v1/services/big", JSON.stringify({ source }));
    expect(res.statusCode).toBe(413);
    expect(res.json().type).toContain("body-too-large");
  });

  it("refuses malformed JSON with 400 and no stack trace", async () => {
    const res = await put("/api/v1/services/x", '{"source": "service: x', "application/json");
    expect(res.statusCode).toBe(400);
    expect(res.json().type).toContain("malformed-json");
    expect(res.body).not.toMatch(/at .*\.js:\d+/);
  });

  it("refuses a body that is not JSON with 415", async () => {
    const res = await put("/api/v1/services/x", "service: x", "text/yaml");
    expect(res.statusCode).toBe(415);
  });

  it.each(["..%2Fetc", "my%20app", "%24(rm%20-rf)", "a;b", "UPPER"])(
    "rejects the service name %s with 400",
    async (name) => {
      const res = await put(`/api/v1/services/${name}`, { source: sampleSpec() });
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0].field).toBe("params.name");
    },
  );

  it("names the field of a wrong type", async () => {
    const res = await put("/api/v1/services/hello-api", { source: 42 });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: "body.source" })]);
  });

  it("rejects unknown body fields", async () => {
    const res = await put("/api/v1/services/hello-api", { source: sampleSpec(), sauce: 1 });
    expect(res.statusCode).toBe(400);
  });

  it("answers an invalid spec with 422 and every error's line and column, writing nothing", async () => {
    const source =
      "service: hello-api\nstart: node server.js\nreplicas: many\nhealth:\n  readiness:\n    period: ten\n";
    const res = await put("/api/v1/services/hello-api", { source });
    expect(res.statusCode).toBe(422);
    const errors = res.json().errors as { field: string; line: number; column: number }[];
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors.find((e) => e.field === "spec.replicas")).toMatchObject({ line: 3, column: 11 });
    const services = await api.ctx.store.db.selectFrom("services").selectAll().execute();
    expect(services).toEqual([]);
  });

  it("rejects non-UTF-8 bytes in a spec with a position", async () => {
    const source = `service: hello-api\nstart: node \uFFFD\n`;
    const res = await put("/api/v1/services/hello-api", { source });
    // JSON transports text, so invalid bytes arrive as U+FFFD; the spec still parses or fails cleanly.
    expect([200, 201, 422]).toContain(res.statusCode);
  });

  it("answers unknown routes with a 404 problem", async () => {
    const res = await api.call(api.adminToken, { method: "GET", url: "/api/v1/nope" });
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toContain("application/problem+json");
  });

  it("refuses a spec whose name differs from the URL", async () => {
    const res = await put("/api/v1/services/other", { source: sampleSpec("hello-api") });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors[0].field).toBe("spec.service");
  });

  it("still serves after all of that", async () => {
    expect((await api.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });
});
