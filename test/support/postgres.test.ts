import pg from "pg";
import { describe, expect, it } from "vitest";
import { postgresTestUrl } from "./store-engines.js";

const url = postgresTestUrl();

describe.skipIf(url === null)("the test PostgreSQL server", () => {
  it("listens on loopback only, tuned for speed over durability", async () => {
    const client = new pg.Client({ connectionString: url ?? "" });
    await client.connect();
    try {
      const setting = async (name: string) => (await client.query(`show ${name}`)).rows[0]?.[name];
      expect(await setting("listen_addresses")).toBe("127.0.0.1");
      expect(await setting("fsync")).toBe("off");
      expect(await setting("synchronous_commit")).toBe("off");
    } finally {
      await client.end();
    }
  });
});
