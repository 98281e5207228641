import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSpec, startTestApi, type TestApi } from "../../test/support/api-harness.js";

// Refusals that a user can act on say what to do next.
describe("rollback and restart with nothing to work on", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
    const applied = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/services/hello-api",
      payload: { source: sampleSpec() },
    });
    expect(applied.statusCode).toBe(201);
  });
  afterAll(() => api.close());

  const post = (action: string) =>
    api.call(api.adminToken, {
      method: "POST",
      url: `/api/v1/services/hello-api/${action}`,
      payload: { environment: "staging" },
    });

  it("rollback names --to and where to find releases", async () => {
    const res = await post("rollback");
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe(
      "hello-api/staging has no earlier successful release to roll back to: name one with --to (`slipway releases hello-api` lists them).",
    );
  });

  it("restart says to deploy first", async () => {
    const res = await post("restart");
    expect(res.statusCode).toBe(409);
    expect(res.json().detail).toBe(
      "hello-api/staging runs no release yet: deploy one first (`slipway deploy --env staging`).",
    );
  });
});
