import type { Kysely } from "kysely";
import { newId, nowIso } from "./ids.js";
import { inTransaction } from "./repos/in-transaction.js";
import type { Database } from "./schema.js";
import type { SecretBox } from "./secret-box.js";

/** The environment name that makes a secret apply to every environment of its service. */
export const ALL_ENVIRONMENTS = "*";

/** A secret's name and metadata: what may be shown. The value never leaves the store this way. */
export interface SecretInfo {
  service: string;
  /** An environment name, or `*` for every environment. */
  environment: string;
  name: string;
  created_at: string;
  updated_at: string;
  updated_by: string | null;
}

/** Identifies one secret. */
export interface SecretKey {
  service: string;
  /** An environment name, or `*` for every environment. */
  environment: string;
  name: string;
}

/** A secret to store, for {@link setSecret}. */
export interface NewSecret extends SecretKey {
  value: string;
  /** Who set it (a user name). */
  actor: string | null;
}

/**
 * Stores (or replaces) a secret, sealed with `box` and bound to its service, environment and name.
 * The value also goes to the secret's history, which outlives it: see {@link secretValuesToMask}.
 *
 * @example
 * await setSecret(store.db, box, { service: "api", environment: "*", name: "DB_PASSWORD", value, actor: "ada" });
 */
export async function setSecret(db: Kysely<Database>, box: SecretBox, input: NewSecret): Promise<SecretInfo> {
  const now = nowIso();
  const sealed = box.seal(input.value, secretContext(input));
  // One transaction: no value is ever current without being in the history too.
  return inTransaction(db, async (tx) => {
    await tx
      .insertInto("secret_history")
      .values({
        id: newId("shv"),
        service: input.service,
        environment: input.environment,
        name: input.name,
        sealed,
        set_at: now,
      })
      .execute();
    return tx
      .insertInto("secrets")
      .values({
        id: newId("sec"),
        service: input.service,
        environment: input.environment,
        name: input.name,
        sealed,
        created_at: now,
        updated_at: now,
        updated_by: input.actor,
      })
      .onConflict((conflict) =>
        conflict
          .columns(["service", "environment", "name"])
          .doUpdateSet({ sealed, updated_at: now, updated_by: input.actor }),
      )
      .returning(["service", "environment", "name", "created_at", "updated_at", "updated_by"])
      .executeTakeFirstOrThrow();
  });
}

/**
 * Names and metadata of a service's secrets, by name. With `environment`, only the secrets that
 * apply there: that environment's own and the `*` ones.
 */
export async function listSecrets(
  db: Kysely<Database>,
  filter: { service: string; environment?: string },
): Promise<SecretInfo[]> {
  let query = db
    .selectFrom("secrets")
    .select(["service", "environment", "name", "created_at", "updated_at", "updated_by"])
    .where("service", "=", filter.service);
  if (filter.environment !== undefined) {
    query = query.where("environment", "in", [filter.environment, ALL_ENVIRONMENTS]);
  }
  return query.orderBy("name").orderBy("environment").execute();
}

/**
 * Removes one secret; false when there was none. Its values stay in the history, so what replicas
 * printed of them stays masked.
 */
export async function deleteSecret(db: Kysely<Database>, key: SecretKey): Promise<boolean> {
  const result = await db
    .deleteFrom("secrets")
    .where("service", "=", key.service)
    .where("environment", "=", key.environment)
    .where("name", "=", key.name)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/**
 * The clear values a service gets in `environment`: `*` secrets, overridden by that environment's
 * own. For handing to a starting replica only; never log or return them.
 */
export async function resolveSecrets(
  db: Kysely<Database>,
  box: SecretBox,
  service: string,
  environment: string,
): Promise<Record<string, string>> {
  const rows = await db
    .selectFrom("secrets")
    .select(["service", "environment", "name", "sealed"])
    .where("service", "=", service)
    .where("environment", "in", [environment, ALL_ENVIRONMENTS])
    .execute();
  const values = new Map<string, string>();
  // `*` first, so the environment's own value overwrites it.
  const ordered = [...rows].sort((a, b) => rank(a.environment) - rank(b.environment));
  for (const row of ordered) {
    values.set(row.name, box.open(row.sealed, secretContext(row)));
  }
  // fromEntries defines own properties, so even a secret named `__proto__` stays a plain entry.
  return Object.fromEntries(values);
}

/**
 * Every value the service's secrets have had in `environment` (its own and `*` ones, current,
 * overridden, changed or removed): what its replicas may have printed, for `secretMasker`.
 * Never log or return them.
 *
 * @example
 * const mask = secretMasker(await secretValuesToMask(store.db, box, "api", "staging"));
 */
export async function secretValuesToMask(
  db: Kysely<Database>,
  box: SecretBox,
  service: string,
  environment: string,
): Promise<string[]> {
  const environments = [environment, ALL_ENVIRONMENTS];
  // The current values are in the history too; reading both keeps a value masked even so.
  const rows = await db
    .selectFrom("secret_history")
    .select(["service", "environment", "name", "sealed"])
    .where("service", "=", service)
    .where("environment", "in", environments)
    .unionAll(
      db
        .selectFrom("secrets")
        .select(["service", "environment", "name", "sealed"])
        .where("service", "=", service)
        .where("environment", "in", environments),
    )
    .execute();
  const sealed = new Map(rows.map((row) => [row.sealed, row]));
  return [...new Set([...sealed.values()].map((row) => box.open(row.sealed, secretContext(row))))];
}

/** Forgets the history of a deleted service's secrets: no log the API can reach shows them any more. */
export async function deleteSecretHistory(db: Kysely<Database>, service: string): Promise<void> {
  await db.deleteFrom("secret_history").where("service", "=", service).execute();
}

/** The additional authenticated data a secret is sealed with: moving its row elsewhere breaks it. */
function secretContext(key: SecretKey): string {
  return `${key.service}/${key.environment}/${key.name}`;
}

function rank(environment: string): number {
  return environment === ALL_ENVIRONMENTS ? 0 : 1;
}
