import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/support/store-engines.js";
import { nowIso } from "./ids.js";
import { deleteService } from "./repos/services.js";
import { SecretBox, SecretBoxError } from "./secret-box.js";
import { deleteSecret, listSecrets, resolveSecrets, secretValuesToMask, setSecret } from "./secrets.js";

describeEachEngine("secrets", (getStore) => {
  let box: SecretBox;

  beforeEach(() => {
    box = SecretBox.fromKey(randomBytes(32).toString("base64"));
  });

  it("stores a value sealed and gives it back in clear only through resolveSecrets", async () => {
    const { db } = getStore();
    const info = await setSecret(db, box, {
      service: "api",
      environment: "*",
      name: "DB_PASSWORD",
      value: "correct horse battery staple",
      actor: "ada",
    });
    expect(info).toEqual({
      service: "api",
      environment: "*",
      name: "DB_PASSWORD",
      created_at: expect.any(String),
      updated_at: info.created_at,
      updated_by: "ada",
    });
    expect(await resolveSecrets(db, box, "api", "staging")).toEqual({
      DB_PASSWORD: "correct horse battery staple",
    });
  });

  it("keeps only ciphertext at rest: the raw row holds no trace of the plaintext", async () => {
    const { db } = getStore();
    await setSecret(db, box, {
      service: "api",
      environment: "production",
      name: "TOKEN",
      value: "s3cr3t-v4lue",
      actor: null,
    });
    const rows = await db.selectFrom("secrets").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain("s3cr3t-v4lue");
    expect(rows[0]?.sealed).toMatch(new RegExp(`^v1:${box.keyId}:`));
  });

  it("replaces a value on a second set, keeping one row and its creation time", async () => {
    const { db } = getStore();
    const key = { service: "api", environment: "staging", name: "TOKEN" };
    const first = await setSecret(db, box, { ...key, value: "one", actor: "ada" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = await setSecret(db, box, { ...key, value: "two", actor: "grace" });
    expect(second.created_at).toBe(first.created_at);
    expect(second.updated_at > first.updated_at).toBe(true);
    expect(second.updated_by).toBe("grace");
    expect(await db.selectFrom("secrets").select("id").execute()).toHaveLength(1);
    expect(await resolveSecrets(db, box, "api", "staging")).toEqual({ TOKEN: "two" });
  });

  it("lets an environment's own value win over the `*` one", async () => {
    const { db } = getStore();
    await setSecret(db, box, {
      service: "api",
      environment: "production",
      name: "URL",
      value: "prod-url",
      actor: null,
    });
    await setSecret(db, box, {
      service: "api",
      environment: "*",
      name: "URL",
      value: "default-url",
      actor: null,
    });
    await setSecret(db, box, {
      service: "api",
      environment: "*",
      name: "SHARED",
      value: "shared",
      actor: null,
    });
    await setSecret(db, box, {
      service: "web",
      environment: "*",
      name: "OTHER",
      value: "web-only",
      actor: null,
    });
    expect(await resolveSecrets(db, box, "api", "production")).toEqual({ URL: "prod-url", SHARED: "shared" });
    expect(await resolveSecrets(db, box, "api", "staging")).toEqual({ URL: "default-url", SHARED: "shared" });
  });

  it("lists names and metadata, never values, optionally for one environment", async () => {
    const { db } = getStore();
    await setSecret(db, box, { service: "api", environment: "*", name: "B", value: "vb", actor: "ada" });
    await setSecret(db, box, {
      service: "api",
      environment: "staging",
      name: "A",
      value: "va",
      actor: "ada",
    });
    await setSecret(db, box, {
      service: "api",
      environment: "production",
      name: "C",
      value: "vc",
      actor: "ada",
    });
    const all = await listSecrets(db, { service: "api" });
    expect(all.map((secret) => `${secret.environment}/${secret.name}`)).toEqual([
      "staging/A",
      "*/B",
      "production/C",
    ]);
    expect(Object.keys(all[0] ?? {}).sort()).toEqual(
      ["created_at", "environment", "name", "service", "updated_at", "updated_by"].sort(),
    );
    expect(JSON.stringify(all)).not.toMatch(/"v[abc]"|v1:/);
    const staging = await listSecrets(db, { service: "api", environment: "staging" });
    expect(staging.map((secret) => secret.name)).toEqual(["A", "B"]);
  });

  it("deletes one secret and says whether there was one", async () => {
    const { db } = getStore();
    await setSecret(db, box, { service: "api", environment: "*", name: "A", value: "1", actor: null });
    await setSecret(db, box, { service: "api", environment: "staging", name: "A", value: "2", actor: null });
    expect(await deleteSecret(db, { service: "api", environment: "staging", name: "A" })).toBe(true);
    expect(await deleteSecret(db, { service: "api", environment: "staging", name: "A" })).toBe(false);
    expect(await resolveSecrets(db, box, "api", "staging")).toEqual({ A: "1" });
  });

  it("refuses to open values with another key", async () => {
    const { db } = getStore();
    await setSecret(db, box, { service: "api", environment: "*", name: "A", value: "1", actor: null });
    const otherBox = SecretBox.fromKey(randomBytes(32).toString("hex"));
    await expect(resolveSecrets(db, otherBox, "api", "staging")).rejects.toMatchObject({ code: "wrong_key" });
  });

  it("refuses a sealed value copied onto another secret's row", async () => {
    const { db } = getStore();
    await setSecret(db, box, {
      service: "api",
      environment: "production",
      name: "ADMIN_PASSWORD",
      value: "root-pw",
      actor: null,
    });
    await setSecret(db, box, {
      service: "web",
      environment: "production",
      name: "GREETING",
      value: "hello",
      actor: null,
    });
    const stolen = await db
      .selectFrom("secrets")
      .select("sealed")
      .where("name", "=", "ADMIN_PASSWORD")
      .executeTakeFirstOrThrow();
    await db.updateTable("secrets").set({ sealed: stolen.sealed }).where("name", "=", "GREETING").execute();
    const resolving = resolveSecrets(db, box, "web", "production");
    await expect(resolving).rejects.toBeInstanceOf(SecretBoxError);
    await expect(resolving).rejects.toMatchObject({ code: "cannot_open" });
    await expect(resolving).rejects.not.toThrow(/root-pw/);
  });

  it("keeps a secret named __proto__ as a plain entry", async () => {
    const { db } = getStore();
    await setSecret(db, box, {
      service: "api",
      environment: "*",
      name: "__proto__",
      value: "x",
      actor: null,
    });
    const values = await resolveSecrets(db, box, "api", "staging");
    expect(Object.keys(values)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  });

  describe("the values to mask", () => {
    const key = { service: "api", environment: "staging", name: "API_KEY" };

    it("keep a changed value and a removed one, for as long as old log lines may show them", async () => {
      const { db } = getStore();
      await setSecret(db, box, { ...key, value: "first-value-1", actor: "ada" });
      await setSecret(db, box, { ...key, value: "second-value-2", actor: "ada" });
      expect(await resolveSecrets(db, box, "api", "staging")).toEqual({ API_KEY: "second-value-2" });
      expect((await secretValuesToMask(db, box, "api", "staging")).sort()).toEqual([
        "first-value-1",
        "second-value-2",
      ]);
      expect(await deleteSecret(db, key)).toBe(true);
      expect(await resolveSecrets(db, box, "api", "staging")).toEqual({});
      expect((await secretValuesToMask(db, box, "api", "staging")).sort()).toEqual([
        "first-value-1",
        "second-value-2",
      ]);
    });

    it("include `*` values an environment overrides, and nothing of other environments or services", async () => {
      const { db } = getStore();
      await setSecret(db, box, { ...key, environment: "*", value: "default-value", actor: null });
      await setSecret(db, box, { ...key, value: "staging-value", actor: null });
      await setSecret(db, box, { ...key, environment: "production", value: "prod-value", actor: null });
      await setSecret(db, box, { ...key, service: "web", value: "web-value", actor: null });
      expect((await secretValuesToMask(db, box, "api", "staging")).sort()).toEqual([
        "default-value",
        "staging-value",
      ]);
      expect((await secretValuesToMask(db, box, "api", "production")).sort()).toEqual([
        "default-value",
        "prod-value",
      ]);
    });

    it("stay sealed at rest, and go with their service", async () => {
      const { db } = getStore();
      const at = nowIso();
      await db
        .insertInto("services")
        .values({
          id: "svc_1",
          name: "api",
          spec_json: "{}",
          spec_source: "",
          created_at: at,
          updated_at: at,
        })
        .execute();
      await setSecret(db, box, { ...key, value: "old-s3cr3t", actor: null });
      await setSecret(db, box, { ...key, value: "new-s3cr3t", actor: null });
      await setSecret(db, box, { ...key, service: "web", value: "web-s3cr3t", actor: null });
      const history = await db.selectFrom("secret_history").selectAll().execute();
      expect(history).toHaveLength(3);
      expect(JSON.stringify(history)).not.toContain("s3cr3t");
      expect(history.every((row) => row.sealed.startsWith(`v1:${box.keyId}:`))).toBe(true);

      expect(await deleteService(db, "api")).toBe(true);
      const left = await db.selectFrom("secret_history").select("service").execute();
      expect(left).toEqual([{ service: "web" }]);
      // Nor does a new service of the same name inherit the deleted one's secrets.
      const current = await db.selectFrom("secrets").select("service").execute();
      expect(current).toEqual([{ service: "web" }]);
    });

    it("refuse to open with another key rather than leave a value unmasked", async () => {
      const { db } = getStore();
      await setSecret(db, box, { ...key, value: "old-value", actor: null });
      await deleteSecret(db, key);
      const otherBox = SecretBox.fromKey(randomBytes(32).toString("base64"));
      await expect(secretValuesToMask(db, otherBox, "api", "staging")).rejects.toMatchObject({
        code: "wrong_key",
      });
    });
  });
});
