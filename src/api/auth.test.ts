import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../test/support/api-harness.js";
import { bootstrapAdmin } from "./auth/bootstrap-admin.js";

describe("authentication and tokens", () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  it("the bootstrap admin token works and is created only once", async () => {
    const res = await api.call(api.adminToken, { method: "GET", url: "/api/v1/whoami" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      user: { name: "admin" },
      roles: [{ role: "admin", environment: "*" }],
    });
    expect(await bootstrapAdmin(api.ctx.store)).toBeNull();
  });

  it("stores tokens only as hashes", async () => {
    const rows = await api.ctx.store.db.selectFrom("tokens").selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(api.adminToken);
    expect(rows[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ["no header", undefined, "unauthenticated"],
    ["a malformed header", "Token abc", "malformed-authorization"],
    ["an unknown token", "Bearer slp_0000000000000000000000000000000000000000", "invalid-token"],
  ])("answers 401 problem+json for %s", async (_label, header, slug) => {
    const res = await api.app.inject({
      method: "GET",
      url: "/api/v1/whoami",
      headers: header === undefined ? {} : { authorization: header },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers["content-type"]).toContain("application/problem+json");
    expect(res.json()).toMatchObject({ status: 401, type: `https://slipway.dev/problems/${slug}` });
  });

  it("creates a token shown once, lists it without its value, then revokes it", async () => {
    const created = await api.call(api.adminToken, {
      method: "POST",
      url: "/api/v1/tokens",
      payload: { name: "laptop" },
    });
    expect(created.statusCode).toBe(201);
    const { token, id, prefix } = created.json();
    expect(token).toMatch(/^slp_[0-9A-Za-z]{40}$/);
    expect(token.startsWith(prefix)).toBe(true);

    const listed = await api.call(api.adminToken, { method: "GET", url: "/api/v1/tokens" });
    expect(listed.body).not.toContain(token);
    expect(listed.json().tokens.map((t: { id: string }) => t.id)).toContain(id);

    expect((await api.call(token, { method: "GET", url: "/api/v1/whoami" })).statusCode).toBe(200);
    expect(
      (await api.call(api.adminToken, { method: "DELETE", url: `/api/v1/tokens/${id}` })).statusCode,
    ).toBe(204);
    const after = await api.call(token, { method: "GET", url: "/api/v1/whoami" });
    expect(after.statusCode).toBe(401);
    expect(after.json().type).toContain("token-revoked");
  });

  it("rejects an expired token with a message saying so", async () => {
    const user = await api.ctx.store.db
      .selectFrom("users")
      .select("id")
      .where("name", "=", "admin")
      .executeTakeFirstOrThrow();
    const { issueToken } = await import("../store/index.js");
    const { token } = await issueToken(api.ctx.store.db, {
      userId: user.id,
      name: "old",
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const res = await api.call(token, { method: "GET", url: "/api/v1/whoami" });
    expect(res.statusCode).toBe(401);
    expect(res.json().type).toContain("token-expired");
    expect(res.json().detail).toContain("expired");
  });

  it("honours expiresIn and refuses nonsense lifetimes", async () => {
    const ok = await api.call(api.adminToken, {
      method: "POST",
      url: "/api/v1/tokens",
      payload: { name: "short", expiresIn: "12h" },
    });
    expect(ok.statusCode).toBe(201);
    const hours = (Date.parse(ok.json().expiresAt) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12);
    const bad = await api.call(api.adminToken, {
      method: "POST",
      url: "/api/v1/tokens",
      payload: { name: "x", expiresIn: "forever" },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe("body.expiresIn");
  });

  it("lets a token that expires create only tokens that expire by then", async () => {
    const create = (token: string, payload: { name: string; expiresIn?: string }) =>
      api.call(token, { method: "POST", url: "/api/v1/tokens", payload });
    const short = (await create(api.adminToken, { name: "ci-job", expiresIn: "1h" })).json().token as string;
    for (const payload of [{ name: "forever" }, { name: "longer", expiresIn: "2h" }]) {
      const refused = await create(short, payload);
      expect(refused.statusCode, payload.name).toBe(400);
      expect(refused.json().errors[0]).toMatchObject({
        field: "body.expiresIn",
        message: expect.stringMatching(
          /^the token making this request expires at .*, and a token it creates must expire by then too$/,
        ),
      });
    }
    expect((await create(short, { name: "shorter", expiresIn: "30m" })).statusCode).toBe(201);
  });

  it("a user cannot revoke someone else's token, and learns nothing about it", async () => {
    const other = await api.userWith({ "*": "developer" });
    const mine = await api.call(api.adminToken, {
      method: "POST",
      url: "/api/v1/tokens",
      payload: { name: "mine" },
    });
    const res = await api.call(other, { method: "DELETE", url: `/api/v1/tokens/${mine.json().id}` });
    expect(res.statusCode).toBe(404);
    expect((await api.call(mine.json().token, { method: "GET", url: "/api/v1/whoami" })).statusCode).toBe(
      200,
    );
  });
});
