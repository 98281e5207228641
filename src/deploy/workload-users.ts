import { spawnSync } from "node:child_process";
import { randomInt } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Kysely } from "kysely";
import { findSetpriv, type RunAs, shellAs } from "../runtime/index.js";
import { type Database, isUniqueViolation, nowIso } from "../store/index.js";

/**
 * Each data directory allocates from a block of 65,536 uids of its own, drawn at random from
 * [2,000,000,000, 4,000,000,000): far above the uids of people and of container ranges (subuid
 * maps start at 100000), and apart from another Slipway's on the same host (whose users would
 * otherwise read each other's /proc/PID/environ).
 */
export const WORKLOAD_UID_FLOOR = 2_000_000_000;
const BLOCK = 65_536;
const BLOCKS = Math.floor((4_000_000_000 - WORKLOAD_UID_FLOOR) / BLOCK);
/** The row that records this data directory's block: `#` is in no service or environment name. */
const BLOCK_ROW = "#block";

/** The user name of an environment's replicas. */
export const environmentUser = (service: string, environment: string) => `${service}/${environment}`;
/** The user name of a service's builds: `#` keeps it apart from every environment's. */
export const buildUser = (service: string) => `${service}#build`;

/** Whether replicas and builds run as users of their own, as SLIPWAY_ISOLATION asks. */
export type IsolationMode = "auto" | "off";

/**
 * The users replicas and builds run as. Each environment of a service gets a numeric user of its
 * own, and each service one for its builds, as every Heroku dyno and Kubernetes pod runs without
 * the platform's rights: a developer who may deploy to staging must not read the platform's
 * data directory (its database, its secret key, the admin's token) nor production's secrets
 * (in the environment of production's processes). That needs the platform to run as root.
 */
export interface WorkloadUsers {
  /** Why replicas run as the platform's own user, when they do. */
  readonly disabledBecause: string | undefined;
  /** The user for {@link environmentUser} or {@link buildUser}; undefined when isolation is off. */
  runAs(name: string): Promise<RunAs | undefined>;
}

export function workloadUsers(options: {
  home: string;
  db: Kysely<Database>;
  mode?: IsolationMode;
}): WorkloadUsers {
  const disabledBecause = whyNotIsolated(options.home, options.mode ?? "auto");
  if (disabledBecause === undefined) {
    // Replicas must reach their release and their home inside it; nothing in it can be listed.
    chmodSync(options.home, 0o711);
  }
  const known = new Map<string, RunAs>();
  return {
    disabledBecause,
    async runAs(name) {
      if (disabledBecause !== undefined) {
        return undefined;
      }
      const cached = known.get(name);
      if (cached !== undefined) {
        return cached;
      }
      const uid = await allocateUid(options.db, name);
      const runAs = { uid, gid: uid };
      known.set(name, runAs);
      return runAs;
    },
  };
}

function whyNotIsolated(home: string, mode: IsolationMode): string | undefined {
  if (mode === "off") {
    return "SLIPWAY_ISOLATION=off";
  }
  const uid = process.getuid?.();
  if (uid !== 0) {
    return `the platform runs as uid ${uid ?? "?"}, not as root, so it cannot start them as other users`;
  }
  if (findSetpriv() === undefined) {
    return "setpriv (from util-linux) is not installed";
  }
  if (readSysctl("/proc/sys/fs/protected_hardlinks") === "0") {
    // Without it, a build could hard-link the platform's own files into the release it seals.
    return "fs.protected_hardlinks is 0: set it to 1 (sysctl fs.protected_hardlinks=1)";
  }
  // Every directory above the data directory must let other users pass through it.
  for (let dir = dirname(realpathSync(home)); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      return `the data directory is inside ${dir}, which other users cannot enter: point SLIPWAY_HOME at a directory outside it, such as /var/lib/slipway`;
    }
    if (dirname(dir) === dir) {
      return undefined;
    }
  }
}

async function allocateUid(db: Kysely<Database>, name: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const existing = await db
      .selectFrom("workload_users")
      .select("uid")
      .where("name", "=", name)
      .executeTakeFirst();
    if (existing !== undefined) {
      return Number(existing.uid);
    }
    const base = await blockBase(db);
    const top = await db
      .selectFrom("workload_users")
      .select((eb) => eb.fn.max("uid").as("uid"))
      .where("name", "!=", BLOCK_ROW)
      .executeTakeFirst();
    // The block row holds `base` itself (uids are unique): users start one above it.
    let uid = Math.max(base + 1, Number(top?.uid ?? 0) + 1);
    // A uid some process already runs as (another tool's, or a Slipway's before this one) is passed over.
    const taken = new Set(processUids());
    while (taken.has(uid)) {
      uid += 1;
    }
    if (uid >= base + BLOCK) {
      throw new Error(`this data directory has used all ${BLOCK} of its workload users`);
    }
    try {
      await db.insertInto("workload_users").values({ name, uid, created_at: nowIso() }).execute();
      return uid;
    } catch (error) {
      // Another allocation took that uid (or this name) first: look again.
      if (!isUniqueViolation(error) || attempt >= 5) {
        throw error;
      }
    }
  }
}

/** The first uid of this data directory's block, drawn once and kept. */
async function blockBase(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom("workload_users")
    .select("uid")
    .where("name", "=", BLOCK_ROW)
    .executeTakeFirst();
  if (row !== undefined) {
    return Number(row.uid);
  }
  const base = WORKLOAD_UID_FLOOR + randomInt(BLOCKS) * BLOCK;
  try {
    await db
      .insertInto("workload_users")
      .values({ name: BLOCK_ROW, uid: base, created_at: nowIso() })
      .execute();
    return base;
  } catch (error) {
    if (!isUniqueViolation(error)) {
      throw error;
    }
    return blockBase(db);
  }
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * Ends every process of a workload user: what a build left running in the background (even one
 * that called setsid) could otherwise write to the release after it is sealed through a file it
 * opened before, or race the walk that gives the next build its tree; what a probe of an
 * environment left would outlive its last replica. The user is that build's or environment's
 * own, so nothing else runs as it.
 */
export function killUserProcesses(user: RunAs): void {
  const setpriv = findSetpriv();
  if (setpriv === undefined) {
    return;
  }
  for (let round = 0; round < 5 && processUids().includes(user.uid); round++) {
    // kill(-1) as that user reaches exactly its own processes (and not the shell that sends it).
    const [file, args] = shellAs("kill -KILL -1", user, setpriv);
    spawnSync(file, args, { stdio: "ignore" });
  }
}

/** The real uid of every running process. */
function processUids(): number[] {
  const uids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (/^\d+$/.test(entry)) {
      try {
        const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${entry}/status`, "utf8"))?.[1];
        if (uid !== undefined) {
          uids.push(Number(uid));
        }
      } catch {
        // Ended while we looked.
      }
    }
  }
  return uids;
}
