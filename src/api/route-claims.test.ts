import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSpec, startTestApi, type TestApi } from "../../test/support/api-harness.js";

// Two services claiming one host and path: the router would send everything to the first, so the
// second is refused when it is applied, not silently shadowed after it deploys.
describe("route claims across services", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const apply = (name: string, extra: string[]) =>
    api.call(api.adminToken, {
      method: "PUT",
      url: `/api/v1/services/${name}`,
      payload: { source: `${sampleSpec(name)}${extra.join("\n")}\n` },
    });

  it("refuses a host and path another service already routes, naming it and the field", async () => {
    expect((await apply("ra", ["routes:", "  - host: shared.example.com"])).statusCode).toBe(201);
    const refused = await apply("rb", ["routes:", "  - host: Shared.Example.com", "    path: /"]);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      type: "https://slipway.dev/problems/route-conflict",
      detail:
        "Host shared.example.com path / (environment staging) is already routed to service ra (environment staging).",
    });
    // Where it is written, so `slipway apply` prints file:line:column like any spec error.
    expect(refused.json().errors[0]).toMatchObject({ field: "routes[0].host", line: 12, column: 11 });
    // Nothing was stored for the refused service.
    expect((await api.call(api.adminToken, { method: "GET", url: "/api/v1/services/rb" })).statusCode).toBe(
      404,
    );
  });

  it("accepts the same host on another path, and a service re-applying its own routes", async () => {
    expect(
      (await apply("rc", ["routes:", "  - host: shared.example.com", "    path: /api/"])).statusCode,
    ).toBe(201);
    expect((await apply("ra", ["routes:", "  - host: shared.example.com"])).statusCode).toBe(200);
  });

  it("refuses an environment's override that claims another service's own host", async () => {
    const clash = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/re",
      payload: {
        source: [
          "service: re",
          "start: node server.js",
          "environments:",
          "  staging:",
          "    routes:",
          "      - host: ra.staging.localhost",
          "",
        ].join("\n"),
      },
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().errors[0]).toMatchObject({ field: "environments.staging.routes[0].host" });
  });
});
