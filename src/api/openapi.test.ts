import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../test/support/api-harness.js";

describe("OpenAPI document and reference", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it("serves a valid OpenAPI 3.1 document without a token", async () => {
    const res = await api.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe("3.1.0");
    const result = await validate(structuredClone(doc));
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
  });

  it("describes routes with their request and response schemas", async () => {
    const doc = (await api.app.inject({ method: "GET", url: "/api/v1/openapi.json" })).json();
    const put = doc.paths["/api/v1/services/{name}/secrets/{key}"].put;
    expect(put.requestBody.content["application/json"].schema.properties.value.type).toBe("string");
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(["200", "401", "403", "404"]));
    expect(doc.components.securitySchemes.bearer.scheme).toBe("bearer");
  });

  it("serves a human-readable reference page", async () => {
    const bare = await api.app.inject({ method: "GET", url: "/api/v1/reference" });
    expect([200, 301, 302]).toContain(bare.statusCode);
    const res = await api.app.inject({ method: "GET", url: "/api/v1/reference/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain("/api/v1/openapi.json");
    // The page's script is served locally: no CDN is reachable from many networks Slipway runs in.
    const script = /<script[^>]+src="([^"]+)"/.exec(res.body)?.[1];
    expect(script).toBeDefined();
    expect(script).not.toMatch(/^https?:/);
    const js = await api.app.inject({
      method: "GET",
      url: new URL(script ?? "", "http://x/api/v1/reference/").pathname,
    });
    expect(js.statusCode).toBe(200);
  });

  it("serves the slipway.yaml JSON Schema for editors", async () => {
    const res = await api.app.inject({ method: "GET", url: "/api/v1/schema/slipway.json" });
    expect(res.statusCode).toBe(200);
    expect(res.json().properties.service).toBeDefined();
  });
});
