import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeEachEngine } from "../../test/support/store-engines.js";
import { openStore, SQLITE_FILE_NAME } from "./open-store.js";
import { StoreError } from "./store-error.js";

let root: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "slipway-open-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 1));
    });
  });
}

describe("openStore on SQLite", () => {
  it("creates the data directory (mode 0700) and slipway.db in it", async () => {
    const home = join(root, "nested", "home");
    const store = await openStore({ home });
    try {
      expect(store.engine).toBe("sqlite");
      expect(store.location).toBe(join(home, SQLITE_FILE_NAME));
      expect((await stat(home)).mode & 0o777).toBe(0o700);
      expect((await stat(join(home, SQLITE_FILE_NAME))).isFile()).toBe(true);
      // Private even in a data directory made beforehand, under a umask that would share it.
      expect((await stat(join(home, SQLITE_FILE_NAME))).mode & 0o777).toBe(0o600);
      await store.ping();
    } finally {
      await store.close();
      await store.close();
    }
  });

  it("treats an empty SLIPWAY_DATABASE_URL as unset", async () => {
    const store = await openStore({ home: join(root, "home"), databaseUrl: "  " });
    await store.close();
    expect(store.engine).toBe("sqlite");
  });

  it("says when the data directory cannot be used", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "");
    const opening = openStore({ home: file });
    await expect(opening).rejects.toMatchObject({ name: "StoreError", code: "bad_home" });
    await expect(opening).rejects.toThrow(`Cannot use ${file} as the Slipway data directory (SLIPWAY_HOME)`);
  });

  it("says when slipway.db is not a database", async () => {
    const home = join(root, "home");
    await openStore({ home }).then((store) => store.close());
    await writeFile(join(home, SQLITE_FILE_NAME), "this is not a database, just text ".repeat(200));
    await rm(join(home, `${SQLITE_FILE_NAME}-wal`), { force: true });
    await rm(join(home, `${SQLITE_FILE_NAME}-shm`), { force: true });
    const opening = openStore({ home });
    await expect(opening).rejects.toMatchObject({ name: "StoreError", code: "database_unreachable" });
    await expect(opening).rejects.toThrow(`Cannot open the SQLite database ${join(home, SQLITE_FILE_NAME)}`);
  });
});

describe("openStore with SLIPWAY_DATABASE_URL", () => {
  it.each([
    [
      "another scheme",
      "mysql://admin:hunter2-pw@db.example/slipway",
      /must start with postgres:\/\/ or postgresql:\/\//,
    ],
    ["a malformed URL", "postgres://admin:hunter2-pw@bad host:5432/slipway", /is not a valid URL/],
    ["no host", "postgres://", /names no host/],
  ])(
    "rejects %s, naming SLIPWAY_DATABASE_URL and never the password",
    async (_case, databaseUrl, message) => {
      const opening = openStore({ home: join(root, "home"), databaseUrl });
      await expect(opening).rejects.toBeInstanceOf(StoreError);
      await expect(opening).rejects.toMatchObject({ code: "bad_database_url" });
      await expect(opening).rejects.toThrow(message);
      await expect(opening).rejects.toThrow(/SLIPWAY_DATABASE_URL/);
      await expect(opening).rejects.not.toThrow(/hunter2/);
    },
  );

  it("reports an unreachable server with the URL minus its password", async () => {
    const port = await closedPort();
    const opening = openStore({
      home: join(root, "home"),
      databaseUrl: `postgresql://slipway:hunter2-pw@127.0.0.1:${port}/slipway`,
    });
    await expect(opening).rejects.toMatchObject({ name: "StoreError", code: "database_unreachable" });
    await expect(opening).rejects.toThrow(
      `Cannot connect to PostgreSQL at postgresql://slipway:***@127.0.0.1:${port}/slipway (SLIPWAY_DATABASE_URL)`,
    );
    await expect(opening).rejects.not.toThrow(/hunter2/);
  });
});

describeEachEngine("an open store", (getStore, getContext) => {
  it("answers ping, and refuses queries once closed", async () => {
    const store = getStore();
    await store.ping();
    await store.close();
    await expect(store.ping()).rejects.toThrow();
  });

  it("names where its data is, without the password", async () => {
    const { engine, options, store } = getContext();
    if (engine === "sqlite") {
      expect(store.location).toBe(join(options.home, SQLITE_FILE_NAME));
      return;
    }
    // The test server trusts loopback, so any password is accepted: enough to see it redacted.
    const url = new URL(options.databaseUrl ?? "");
    url.password = "hunter2-pw";
    const withPassword = await openStore({ ...options, databaseUrl: url.href });
    try {
      expect(withPassword.location).toContain(":***@127.0.0.1");
      expect(withPassword.location).not.toContain("hunter2");
    } finally {
      await withPassword.close();
    }
  });
});
