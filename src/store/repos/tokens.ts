import { createHash, randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { newId, nowIso } from "../ids.js";
import type { Database, Token } from "../schema.js";

const tokenAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const tokenBodyLength = 40;

/** A fresh API token: `slp_` and 40 base62 characters (about 238 bits). */
export function generateToken(): string {
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 62).
  let body = "";
  while (body.length < tokenBodyLength) {
    for (const byte of randomBytes(64)) {
      if (byte < 248 && body.length < tokenBodyLength) {
        body += tokenAlphabet[byte % 62];
      }
    }
  }
  return `slp_${body}`;
}

/** Tokens are stored as SHA-256: they are long random strings, so a slow hash adds nothing. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface IssuedToken {
  token: string;
  record: Token;
}

export async function issueToken(
  db: Kysely<Database>,
  input: { userId: string; name: string; expiresAt: string | null },
): Promise<IssuedToken> {
  const token = generateToken();
  const record: Token = {
    id: newId("tok"),
    user_id: input.userId,
    name: input.name,
    hash: hashToken(token),
    prefix: token.slice(0, 8),
    created_at: nowIso(),
    expires_at: input.expiresAt,
    revoked_at: null,
    last_used_at: null,
  };
  await db.insertInto("tokens").values(record).execute();
  return { token, record };
}

export async function findTokenByHash(db: Kysely<Database>, hash: string): Promise<Token | undefined> {
  return db.selectFrom("tokens").selectAll().where("hash", "=", hash).executeTakeFirst();
}

export async function findTokenById(db: Kysely<Database>, id: string): Promise<Token | undefined> {
  return db.selectFrom("tokens").selectAll().where("id", "=", id).executeTakeFirst();
}

export interface TokenWithUser extends Token {
  user_name: string;
}

export async function listTokens(db: Kysely<Database>, userId?: string): Promise<TokenWithUser[]> {
  let query = db
    .selectFrom("tokens")
    .innerJoin("users", "users.id", "tokens.user_id")
    .selectAll("tokens")
    .select("users.name as user_name")
    .orderBy("tokens.created_at");
  if (userId !== undefined) {
    query = query.where("tokens.user_id", "=", userId);
  }
  return query.execute();
}

/** Marks the token revoked; false when it was already revoked. */
export async function revokeToken(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db
    .updateTable("tokens")
    .set({ revoked_at: nowIso() })
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function touchToken(db: Kysely<Database>, id: string, at: string): Promise<void> {
  await db.updateTable("tokens").set({ last_used_at: at }).where("id", "=", id).execute();
}
