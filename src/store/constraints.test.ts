import type { Kysely } from "kysely";
import { expect, it } from "vitest";
import { describeEachEngine } from "../../test/support/store-engines.js";
import { isForeignKeyViolation, isUniqueViolation } from "./constraint-errors.js";
import type { Database } from "./schema.js";

const AT = "2026-11-27T18:00:00.000Z";

async function addService(db: Kysely<Database>, id: string, name = id): Promise<void> {
  await db
    .insertInto("services")
    .values({ id, name, spec_json: "{}", spec_source: "", created_at: AT, updated_at: AT })
    .execute();
}

async function addEnvironment(
  db: Kysely<Database>,
  id: string,
  serviceId: string,
  name: string,
): Promise<void> {
  await db
    .insertInto("environments")
    .values({ id, service_id: serviceId, name, position: 0, approval_required: 0, created_at: AT })
    .execute();
}

async function addRelease(
  db: Kysely<Database>,
  id: string,
  serviceId: string,
  version: number,
): Promise<void> {
  await db
    .insertInto("releases")
    .values({ id, service_id: serviceId, version, spec_json: "{}", status: "ready", created_at: AT })
    .execute();
}

async function addUser(db: Kysely<Database>, id: string): Promise<void> {
  await db.insertInto("users").values({ id, name: id, created_at: AT, disabled: 0 }).execute();
}

/** A service with one environment, one release, one deployment and one replica. */
async function addDeployedService(db: Kysely<Database>, name: string): Promise<void> {
  await addService(db, `svc_${name}`, name);
  await addEnvironment(db, `env_${name}`, `svc_${name}`, "staging");
  await addRelease(db, `rel_${name}`, `svc_${name}`, 1);
  await db
    .insertInto("deployments")
    .values({
      id: `dep_${name}`,
      release_id: `rel_${name}`,
      environment_id: `env_${name}`,
      strategy: "rolling",
      status: "succeeded",
      created_at: AT,
    })
    .execute();
  await db
    .insertInto("replicas")
    .values({
      id: `rep_${name}`,
      deployment_id: `dep_${name}`,
      environment_id: `env_${name}`,
      release_id: `rel_${name}`,
      driver: "process",
      state: "Ready",
      restarts: 0,
      updated_at: AT,
    })
    .execute();
  await db
    .insertInto("runs")
    .values({
      id: `run_${name}`,
      service_id: `svc_${name}`,
      workflow: "ci",
      status: "succeeded",
      created_at: AT,
    })
    .execute();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the statement to be rejected");
    },
    (error: unknown) => error,
  );
}

async function count(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return row.n;
}

describeEachEngine("constraints", (getStore) => {
  it("rejects duplicates where the domain needs one of a kind", async () => {
    const { db } = getStore();
    await addService(db, "svc_1", "api");
    await addEnvironment(db, "env_1", "svc_1", "staging");
    await addRelease(db, "rel_1", "svc_1", 1);
    await addUser(db, "usr_1");
    await db
      .insertInto("tokens")
      .values({ id: "tok_1", user_id: "usr_1", name: "a", hash: "h1", prefix: "slp_h1", created_at: AT })
      .execute();
    await db
      .insertInto("role_bindings")
      .values({ id: "rb_1", user_id: "usr_1", role: "viewer", environment: "*", created_at: AT })
      .execute();
    await db
      .insertInto("secrets")
      .values({
        id: "sec_1",
        service: "api",
        environment: "*",
        name: "A",
        sealed: "x",
        created_at: AT,
        updated_at: AT,
      })
      .execute();

    // Thunks, so each runs only when the previous one has failed.
    const duplicates: (() => Promise<unknown>)[] = [
      () => addService(db, "svc_2", "api"),
      () => addEnvironment(db, "env_2", "svc_1", "staging"),
      () => addRelease(db, "rel_2", "svc_1", 1),
      () => addUser(db, "usr_1"),
      () =>
        db
          .insertInto("tokens")
          .values({ id: "tok_2", user_id: "usr_1", name: "b", hash: "h1", prefix: "slp_h1", created_at: AT })
          .execute(),
      () =>
        db
          .insertInto("role_bindings")
          .values({ id: "rb_2", user_id: "usr_1", role: "admin", environment: "*", created_at: AT })
          .execute(),
      () =>
        db
          .insertInto("secrets")
          .values({
            id: "sec_2",
            service: "api",
            environment: "*",
            name: "A",
            sealed: "y",
            created_at: AT,
            updated_at: AT,
          })
          .execute(),
    ];
    for (const duplicate of duplicates) {
      const error = await rejection(duplicate());
      expect(isUniqueViolation(error), String(error)).toBe(true);
      expect(isForeignKeyViolation(error)).toBe(false);
    }
    // The same names are fine in another scope.
    await addService(db, "svc_3", "web");
    await addEnvironment(db, "env_3", "svc_3", "staging");
    await addRelease(db, "rel_3", "svc_3", 1);
  });

  it("rejects references to rows that do not exist", async () => {
    const { db } = getStore();
    const error = await rejection(addEnvironment(db, "env_1", "svc_missing", "staging"));
    expect(isForeignKeyViolation(error), String(error)).toBe(true);
    expect(isUniqueViolation(error)).toBe(false);
    const tokenError = await rejection(
      db
        .insertInto("tokens")
        .values({ id: "tok_1", user_id: "usr_missing", name: "a", hash: "h", prefix: "p", created_at: AT })
        .execute(),
    );
    expect(isForeignKeyViolation(tokenError)).toBe(true);
  });

  it("deleting a service removes its environments, releases, deployments and replicas, and unlinks its runs", async () => {
    const { db } = getStore();
    await addDeployedService(db, "api");
    await addDeployedService(db, "web");
    await db.deleteFrom("services").where("name", "=", "api").execute();
    for (const table of ["environments", "releases", "deployments", "replicas"] as const) {
      expect(await count(db, table), table).toBe(1);
    }
    const runs = await db.selectFrom("runs").select(["id", "service_id"]).orderBy("id").execute();
    expect(runs).toEqual([
      { id: "run_api", service_id: null },
      { id: "run_web", service_id: "svc_web" },
    ]);
  });

  it("deleting a user removes their tokens and role bindings", async () => {
    const { db } = getStore();
    for (const user of ["usr_a", "usr_b"]) {
      await addUser(db, user);
      await db
        .insertInto("tokens")
        .values({
          id: `tok_${user}`,
          user_id: user,
          name: "t",
          hash: `h_${user}`,
          prefix: "p",
          created_at: AT,
        })
        .execute();
      await db
        .insertInto("role_bindings")
        .values({ id: `rb_${user}`, user_id: user, role: "viewer", environment: "*", created_at: AT })
        .execute();
    }
    await db.deleteFrom("users").where("id", "=", "usr_a").execute();
    expect(await db.selectFrom("tokens").select("user_id").execute()).toEqual([{ user_id: "usr_b" }]);
    expect(await db.selectFrom("role_bindings").select("user_id").execute()).toEqual([{ user_id: "usr_b" }]);
  });

  it("leaves no half-written rows when a transaction fails", async () => {
    const { db } = getStore();
    await addService(db, "svc_existing", "existing");
    const failing = db.transaction().execute(async (trx) => {
      await addService(trx, "svc_new", "new");
      await addEnvironment(trx, "env_new", "svc_new", "staging");
      await addService(trx, "svc_clash", "existing"); // unique violation: the whole transaction goes
    });
    expect(isUniqueViolation(await rejection(failing))).toBe(true);
    expect(await db.selectFrom("services").select("name").execute()).toEqual([{ name: "existing" }]);
    expect(await count(db, "environments")).toBe(0);

    const thrown = db.transaction().execute(async (trx) => {
      await addService(trx, "svc_new", "new");
      throw new Error("the caller changed its mind");
    });
    await expect(thrown).rejects.toThrow("the caller changed its mind");
    expect(await count(db, "services")).toBe(1);
    // The connection is usable again after the rollback.
    await addService(db, "svc_after", "after");
    expect(await count(db, "services")).toBe(2);
  });

  it("rolls back to a savepoint inside a transaction", async () => {
    const { db } = getStore();
    const trx = await db.startTransaction().execute();
    await addService(trx, "svc_kept", "kept");
    const savepoint = await trx.savepoint("before_second").execute();
    await addService(savepoint, "svc_undone", "undone");
    const back = await savepoint.rollbackToSavepoint("before_second").execute();
    await back.commit().execute();
    expect(await db.selectFrom("services").select("name").execute()).toEqual([{ name: "kept" }]);
  });

  it("returns counts, sums and integer columns as numbers on every engine", async () => {
    const { db } = getStore();
    await addService(db, "svc_1", "api");
    expect(await count(db, "services")).toBe(1);
    await addEnvironment(db, "env_1", "svc_1", "staging");
    await db.updateTable("environments").set({ position: 3 }).execute();
    // PostgreSQL returns sum(integer) as int8, which pg would give back as a string by default.
    const sum = await db
      .selectFrom("environments")
      .select((eb) => eb.fn.sum<number>("position").as("total"))
      .executeTakeFirstOrThrow();
    expect(sum.total).toBe(3);
    const env = await db
      .selectFrom("environments")
      .select(["position", "approval_required"])
      .executeTakeFirstOrThrow();
    expect(env).toEqual({ position: 3, approval_required: 0 });
  });
});
