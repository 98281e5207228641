import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestApi, type TestApi } from "../../test/support/api-harness.js";
import { describeEachEngine } from "../../test/support/store-engines.js";
import { bindRole, createUser, findUserByName, issueToken, listAudit, listEvents } from "../store/index.js";
import { bootstrapAdmin } from "./auth/bootstrap-admin.js";
import { refuseLosingLastAdmin, refuseRevokingLastAdminToken } from "./auth/last-admin.js";
import { issueRecoveryToken } from "./auth/recovery-token.js";

// Only an admin of every environment can manage users and tokens: the API must not let the last
// one, or the last live token of one, go.
describe("the last admin of every environment", () => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startTestApi();
  });
  afterEach(() => api.close());

  const bootstrapTokenId = async () => {
    const listed = await api.call(api.adminToken, { method: "GET", url: "/api/v1/tokens" });
    return listed.json().tokens.find((t: { name: string }) => t.name === "bootstrap").id as string;
  };

  it("cannot lose the admin role in * (unbound or downgraded), but may once another user has it", async () => {
    const unbind = await api.call(api.adminToken, { method: "DELETE", url: "/api/v1/users/admin/roles/*" });
    expect(unbind.statusCode).toBe(409);
    expect(unbind.json()).toMatchObject({ type: "https://slipway.dev/problems/last-admin" });
    expect(unbind.json().detail).toContain('Bind admin in "*" to another user who has a live token first');
    const downgrade = await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/users/admin/roles/*",
      payload: { role: "viewer" },
    });
    expect(downgrade.statusCode).toBe(409);
    // Still admin: both refusals changed nothing.
    const me = await api.call(api.adminToken, { method: "GET", url: "/api/v1/whoami" });
    expect(me.json().roles).toEqual([{ role: "admin", environment: "*" }]);

    // A role in one environment is never the last admin's lifeline.
    await api.call(api.adminToken, {
      method: "PUT",
      url: "/api/v1/users/admin/roles/staging",
      payload: { role: "admin" },
    });
    const local = await api.call(api.adminToken, {
      method: "DELETE",
      url: "/api/v1/users/admin/roles/staging",
    });
    expect(local.statusCode).toBe(204);

    // An admin who cannot log in (no token) is no way back: still refused.
    const tokenless = await createUser(api.ctx.store.db, "tokenless");
    await bindRole(api.ctx.store.db, tokenless.id, "admin", "*");
    expect(
      (await api.call(api.adminToken, { method: "DELETE", url: "/api/v1/users/admin/roles/*" })).statusCode,
    ).toBe(409);

    await api.userWith({ "*": "admin" }, "second-admin");
    const now = await api.call(api.adminToken, { method: "DELETE", url: "/api/v1/users/admin/roles/*" });
    expect(now.statusCode).toBe(204);
  });

  it("cannot revoke the last live admin token, but may once another exists; the refusal is audited", async () => {
    const id = await bootstrapTokenId();
    const refused = await api.call(api.adminToken, { method: "DELETE", url: `/api/v1/tokens/${id}` });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().type).toBe("https://slipway.dev/problems/last-admin-token");
    expect(refused.json().detail).toContain("slipway tokens create");
    expect((await api.call(api.adminToken, { method: "GET", url: "/api/v1/whoami" })).statusCode).toBe(200);
    const audit = await listAudit(api.ctx.store.db, {});
    expect(audit.some((row) => row.action === "DELETE /api/v1/tokens/:id" && row.status === 409)).toBe(true);

    // An expired admin token is no way in, so it does not count.
    const admin = await findUserByName(api.ctx.store.db, "admin");
    await issueToken(api.ctx.store.db, {
      userId: admin?.id ?? "",
      name: "stale",
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(
      (await api.call(api.adminToken, { method: "DELETE", url: `/api/v1/tokens/${id}` })).statusCode,
    ).toBe(409);

    const spare = await api.call(api.adminToken, {
      method: "POST",
      url: "/api/v1/tokens",
      payload: { name: "spare" },
    });
    const revoked = await api.call(api.adminToken, { method: "DELETE", url: `/api/v1/tokens/${id}` });
    expect(revoked.statusCode).toBe(204);
    expect((await api.call(api.adminToken, { method: "GET", url: "/api/v1/whoami" })).statusCode).toBe(401);
    expect((await api.call(spare.json().token, { method: "GET", url: "/api/v1/whoami" })).statusCode).toBe(
      200,
    );
  });

  it("leaves other users' tokens alone: a developer may revoke their only token", async () => {
    const developer = await api.userWith({ "*": "developer" }, "dev");
    const me = await api.call(developer, { method: "GET", url: "/api/v1/whoami" });
    const res = await api.call(developer, { method: "DELETE", url: `/api/v1/tokens/${me.json().token.id}` });
    expect(res.statusCode).toBe(204);
  });
});

describeEachEngine("admin lockout guards and the recovery token", (getStore) => {
  it("counts live tokens of every * admin, on this engine's SQL", async () => {
    const { db } = getStore();
    const first = await createUser(db, "first");
    await bindRole(db, first.id, "admin", "*");
    const { record: only } = await issueToken(db, { userId: first.id, name: "only", expiresAt: null });
    await expect(refuseRevokingLastAdminToken(db, only)).rejects.toMatchObject({ status: 409 });
    await expect(refuseLosingLastAdmin(db, first, "*")).rejects.toMatchObject({ status: 409 });
    await expect(refuseLosingLastAdmin(db, first, "*", "admin")).resolves.toBeUndefined();

    const second = await createUser(db, "second");
    await bindRole(db, second.id, "admin", "*");
    await issueToken(db, {
      userId: second.id,
      name: "later",
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await expect(refuseRevokingLastAdminToken(db, only)).resolves.toBeUndefined();
    await expect(refuseLosingLastAdmin(db, first, "*")).resolves.toBeUndefined();
  });

  it("issues a working admin token, restores a lost * admin role, and records who did it", async () => {
    const store = getStore();
    expect(await issueRecoveryToken(store, { name: "recovery", actor: "local:ops" })).toBeNull();
    await bootstrapAdmin(store);
    const admin = await findUserByName(store.db, "admin");
    // As if the role had been removed before the guard existed.
    await store.db
      .deleteFrom("role_bindings")
      .where("user_id", "=", admin?.id ?? "")
      .execute();

    const issued = await issueRecoveryToken(store, { name: "recovery", actor: "local:ops" });
    expect(issued).toMatchObject({ user: "admin", name: "recovery", roleRestored: true });
    expect(issued?.token).toMatch(/^slp_[0-9A-Za-z]{40}$/);
    const bindings = await store.db.selectFrom("role_bindings").selectAll().execute();
    expect(bindings.map((b) => [b.role, b.environment])).toEqual([["admin", "*"]]);
    const stored = await store.db
      .selectFrom("tokens")
      .selectAll()
      .where("id", "=", issued?.id ?? "")
      .execute();
    expect(stored[0]?.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(issued?.token);

    const [event] = await listEvents(store.db, { kind: "token.created" });
    expect(event?.message).toContain("issued from the data directory by local:ops");
    expect(event?.message).not.toContain(issued?.token);
    const audit = await listAudit(store.db, { actor: "local:ops" });
    expect(audit.map((row) => row.action)).toEqual(["slipway admin-token"]);

    const again = await issueRecoveryToken(store, { name: "second", actor: "local:ops" });
    expect(again?.roleRestored).toBe(false);
  });
});
