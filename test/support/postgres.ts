import { execFile } from "node:child_process";
import { constants, existsSync } from "node:fs";
import {
  access,
  appendFile,
  chown,
  mkdtemp,
  readdir,
  readFile,
  rm,
  statfs,
  writeFile,
} from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A throwaway PostgreSQL server for tests, on 127.0.0.1. */
export interface PostgresServer {
  /** Admin URL (user `postgres`, database `postgres`, no password: trust auth on loopback). */
  url: string;
  /** Stops the server at once (no checkpoint) and deletes its data directory. */
  stop(): Promise<void>;
}

const SERVER_DIR_PREFIX = "slipway-pg-";
const OWNER_FILE = "owner.pid";

/** Containers often mount a 64 MB /dev/shm; a cluster plus a few test databases needs far more. */
const MIN_RAM_DISK_BYTES = 1024 ** 3;

/** Settings that trade durability for speed: a crash only loses a test database. */
const TEST_SETTINGS = {
  listen_addresses: "'127.0.0.1'",
  fsync: "off",
  full_page_writes: "off",
  synchronous_commit: "off",
  max_connections: "200",
  shared_buffers: "32MB",
  log_min_messages: "warning",
};

/**
 * Starts PostgreSQL from the machine's binaries (`initdb` + `pg_ctl` in a temp dir) on a free port,
 * installing Debian's `postgresql` package first when the binaries are missing and we are root.
 * As root the server runs as the `postgres` user, because PostgreSQL refuses to run as root.
 *
 * @example
 * const server = await startPostgres();
 * // … connect to server.url …
 * await server.stop();
 */
export async function startPostgres(extraSettings: Record<string, string> = {}): Promise<PostgresServer> {
  const bindir = await findOrInstallBinaries();
  const runAsRoot = process.getuid?.() === 0;
  const asServerUser = (tool: string, args: string[]) =>
    runAsRoot
      ? run("runuser", ["-u", "postgres", "--", join(bindir, tool), ...args])
      : run(join(bindir, tool), args);
  const root = await scratchRoot();
  await reapAbandonedServers(root, asServerUser);
  const dir = await mkdtemp(join(root, SERVER_DIR_PREFIX));
  const data = join(dir, "data");
  const log = join(dir, "postgres.log");
  try {
    // Lets a later run stop this server if our process dies before its teardown (kill -9, Ctrl-C).
    await writeFile(join(dir, OWNER_FILE), String(process.pid));
    if (runAsRoot) {
      const [uid, gid] = await Promise.all([idOf("-u"), idOf("-g")]);
      await chown(dir, uid, gid);
    }
    await asServerUser("initdb", [
      "-D",
      data,
      "-A",
      "trust",
      "-U",
      "postgres",
      "-E",
      "UTF8",
      "--locale=C",
      "--no-sync",
      "--no-instructions",
    ]);
    const port = await freePort();
    const settings = {
      ...TEST_SETTINGS,
      ...extraSettings,
      port: String(port),
      unix_socket_directories: `'${dir}'`,
    };
    const lines = Object.entries(settings).map(([key, value]) => `${key} = ${value}`);
    await appendFile(join(data, "postgresql.conf"), `\n# slipway test server\n${lines.join("\n")}\n`);
    try {
      await asServerUser("pg_ctl", ["-D", data, "-l", log, "-w", "-t", "30", "start"]);
    } catch (error) {
      const serverLog = await readFile(log, "utf8").catch(() => "(no log)");
      throw new Error(`pg_ctl start failed: ${messageOf(error)}\n${serverLog}`);
    }
    let stopped = false;
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop: async () => {
        if (stopped) {
          return;
        }
        stopped = true;
        try {
          await asServerUser("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

type ServerUserRunner = (tool: string, args: string[]) => Promise<unknown>;

/** Stops and deletes servers left behind by test runs whose process no longer exists. */
async function reapAbandonedServers(root: string, asServerUser: ServerUserRunner): Promise<void> {
  const entries = await readdir(root).catch(() => []);
  for (const entry of entries.filter((name) => name.startsWith(SERVER_DIR_PREFIX))) {
    const dir = join(root, entry);
    const owner = Number((await readFile(join(dir, OWNER_FILE), "utf8").catch(() => "")).trim());
    if (!Number.isInteger(owner) || owner <= 0 || isAlive(owner)) {
      continue;
    }
    await asServerUser("pg_ctl", ["-D", join(dir, "data"), "-m", "immediate", "-w", "stop"]).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The directory holding `initdb` and `pg_ctl`, installing them when missing and allowed. */
async function findOrInstallBinaries(): Promise<string> {
  const found = await findBinaries();
  if (found !== null) {
    return found;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      "PostgreSQL binaries (initdb, pg_ctl) not found. Install them, e.g. `sudo apt-get install -y postgresql`.",
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const options = { env, maxBuffer: 64 * 1024 * 1024 };
  await run("apt-get", ["update"], options);
  await run("apt-get", ["install", "-y", "--no-install-recommends", "postgresql"], options);
  const installed = await findBinaries();
  if (installed === null) {
    throw new Error("Installed Debian's postgresql package, but still found no initdb/pg_ctl.");
  }
  return installed;
}

async function findBinaries(): Promise<string | null> {
  const candidates: string[] = [];
  try {
    const { stdout } = await run("pg_config", ["--bindir"]);
    candidates.push(stdout.trim());
  } catch {
    // No pg_config (it ships in libpq-dev): look where Debian puts the server binaries instead.
  }
  const debianRoot = "/usr/lib/postgresql";
  if (existsSync(debianRoot)) {
    const versions = (await readdir(debianRoot)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => join(debianRoot, version, "bin")));
  }
  return candidates.find((dir) => existsSync(join(dir, "initdb")) && existsSync(join(dir, "pg_ctl"))) ?? null;
}

/**
 * Where the data directory goes: a RAM disk when one with room exists. On a disk, even with fsync
 * off, CREATE DATABASE takes ~250 ms here; on tmpfs ~15 ms, and the suite makes one per test.
 */
async function scratchRoot(): Promise<string> {
  const ramDisk = "/dev/shm";
  try {
    await access(ramDisk, constants.W_OK);
    const { bavail, bsize } = await statfs(ramDisk);
    if (bavail * bsize >= MIN_RAM_DISK_BYTES) {
      return ramDisk;
    }
  } catch {
    // No usable RAM disk: fall back to the temp dir.
  }
  return tmpdir();
}

async function idOf(flag: "-u" | "-g"): Promise<number> {
  const { stdout } = await run("id", [flag, "postgres"]);
  return Number(stdout.trim());
}

/** A port nobody listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const stderr = (error as { stderr?: unknown }).stderr;
    return typeof stderr === "string" && stderr.trim() !== "" ? `${error.message}\n${stderr}` : error.message;
  }
  return String(error);
}
