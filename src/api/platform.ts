import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import type { IsolationMode } from "../deploy/index.js";
import {
  ensureDataDirectory,
  type HeldInstanceLock,
  openStore,
  SecretBox,
  type Store,
} from "../store/index.js";
import { bootstrapAdmin } from "./auth/bootstrap-admin.js";
import { buildApi } from "./build-api.js";
import { type DataDirLock, lockDataDirectory } from "./data-dir-lock.js";
import { EventBus, publishEvent } from "./event-bus.js";
import { defaultEventRetentionMs, startEventRetention } from "./event-retention.js";
import type { Readiness } from "./routes/meta.js";
import { createRunServices, type RunningServices } from "./run-context.js";

export interface PlatformOptions {
  /** The data directory (SLIPWAY_HOME): SQLite file, secret key, logs. */
  home: string;
  /** Default 7420; 0 picks a free port (tests). */
  port?: number;
  /** Default 127.0.0.1: exposing Slipway beyond this machine is a deliberate choice. */
  host?: string;
  /** postgres://… to keep state in PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** SLIPWAY_SECRET_KEY: base64 or hex of 32 bytes; default a key file in `home`. */
  secretKey?: string;
  /** pino level; "silent" for none. Default info. */
  logLevel?: string;
  /** Install SIGTERM/SIGINT handlers that shut down gracefully (the CLI's `up` does). */
  handleSignals?: boolean;
  /** The router's port: default 7480; 0 picks a free port. */
  routerPort?: number;
  /**
   * Run the router on the platform's own event loop instead of a worker thread of its own.
   * Default false: only for comparison (bench/router-isolation.ts) and debugging.
   */
  routerInProcess?: boolean;
  /**
   * SLIPWAY_ISOLATION: "auto" (the default) runs each environment's replicas, and each service's
   * builds, as a user of their own when the platform runs as root; "off" runs them as its user.
   */
  isolation?: IsolationMode;
  /** Stop every replica on close too (`slipway down`); by default they keep serving across restarts. */
  stopReplicasOnClose?: boolean;
  /** How long events are kept, in ms: default 90 days; 0 keeps them forever. */
  eventRetentionMs?: number;
}

export interface RunningPlatform {
  url: string;
  /** Where the router listens: services answer at http://SERVICE.ENV.localhost:PORT. */
  routerUrl: string;
  services: RunningServices;
  /** The admin token, on the very first start only; it is stored hashed and never shown again. */
  adminToken: string | null;
  app: FastifyInstance;
  close(): Promise<void>;
}

export const defaultPort = 7420;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

/**
 * Starts Slipway: opens (and migrates) the store, creates the first admin if there is none,
 * and serves the API. Closing stops accepting, lets in-flight requests finish, then closes the store.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  // Locked before the store opens: a second platform must not even migrate or bootstrap.
  await ensureDataDirectory(options.home);
  const dataDirLock = await lockDataDirectory(options.home);
  let store: Store | undefined;
  let databaseLock: HeldInstanceLock | null = null;
  const releaseLocks = async () => {
    await databaseLock?.release();
    await dataDirLock.release();
  };
  try {
    store = await openStore({ home: options.home, databaseUrl: options.databaseUrl, migrate: false });
    databaseLock = await store.lockForInstance();
    // Only once no other platform runs on this database: migrating under it would break it.
    await store.migrate();
  } catch (error) {
    await store?.close();
    await releaseLocks();
    throw error;
  }
  return startOnLockedStore(options, store, { dataDir: dataDirLock, database: databaseLock }, releaseLocks);
}

async function startOnLockedStore(
  options: PlatformOptions,
  store: Store,
  locks: { dataDir: DataDirLock; database: HeldInstanceLock | null },
  releaseLocks: () => Promise<void>,
): Promise<RunningPlatform> {
  const databaseLock = locks.database;
  const readiness: Readiness = { ready: false };
  let app: FastifyInstance;
  let services: RunningServices | undefined;
  try {
    const secretBox = await SecretBox.load({ home: options.home, key: options.secretKey });
    const bus = new EventBus();
    const version = packageVersion();
    const logger = pino({ level: options.logLevel ?? "info" }, process.stderr);
    const crashed = locks.dataDir.tookOverFrom;
    if (crashed !== undefined) {
      logger.warn(
        { pid: crashed.pid, startedAt: crashed.startedAt },
        "the last platform on this data directory did not shut down cleanly (its lock named a process that no longer runs); taking over",
      );
    }
    services = createRunServices({
      store,
      secretBox,
      bus,
      home: options.home,
      log: logger.child({ component: "deploy" }),
      ...(options.routerPort === undefined ? {} : { routerPort: options.routerPort }),
      ...(options.routerInProcess === true ? { routerInProcess: true } : {}),
      ...(options.host === undefined ? {} : { routerHost: options.host }),
      ...(options.isolation === undefined ? {} : { isolation: options.isolation }),
    });
    app = await buildApi(
      { store, secretBox, bus, version, run: services },
      {
        readiness,
        logger: {
          level: options.logLevel ?? "info",
          // Logs go to stderr so stdout carries only what the command prints (`slipway up --json`).
          stream: process.stderr,
          redact: { paths: ["req.headers.authorization", "req.headers.cookie"], censor: "[redacted]" },
        },
      },
    );
    await services.start();
    await app.listen({ port: options.port ?? defaultPort, host: options.host ?? "127.0.0.1" });
    // Only once serving: a start that fails (a port taken) must not create an admin whose token
    // nobody ever saw, which would leave the next start with no token to show.
    const adminToken = await bootstrapAdmin(store);
    readiness.ready = true;
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : (options.port ?? defaultPort);
    const host = options.host ?? "127.0.0.1";
    const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    await publishEvent(store, bus, {
      kind: "platform.started",
      message: `Slipway ${version} started at ${url} (${store.engine})`,
      actor: "slipway",
      data: { url, engine: store.engine, version },
    });

    const retentionMs = options.eventRetentionMs ?? defaultEventRetentionMs;
    const retention =
      retentionMs > 0
        ? startEventRetention({ store, retentionMs, log: logger.child({ component: "events" }) })
        : undefined;

    let closing: Promise<void> | undefined;
    let stopReplicas = options.stopReplicasOnClose === true;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        readiness.ready = false;
        await locks.dataDir.markStopping().catch(() => undefined);
        await retention?.stop();
        await app.close();
        if (stopReplicas) {
          await services?.down();
        } else {
          await services?.close();
        }
        await store.close();
        await releaseLocks();
      })();
      return closing;
    };
    const shutDown = (why: string, exitCode = 0) => {
      app.log.info({ why, stopReplicas }, "shutting down: finishing in-flight requests");
      close().then(
        () => (options.handleSignals ? process.exit(exitCode) : undefined),
        (error: unknown) => {
          app.log.error({ err: error }, "shutdown failed");
          if (options.handleSignals) {
            process.exit(1);
          }
        },
      );
    };
    // `slipway down`: stop the replicas too, then the platform.
    services.requestDown = () => {
      stopReplicas = true;
      shutDown("slipway down");
    };
    if (options.handleSignals) {
      process.once("SIGTERM", () => shutDown("SIGTERM"));
      process.once("SIGINT", () => shutDown("SIGINT"));
    }
    // Like a controller that loses its lease: without the lock another platform may take the
    // database, so this one stops (replicas keep serving) rather than risk two controllers. A
    // process of its own exits at once, as kube-controller-manager does: a graceful close would
    // first let running rollouts drain and stop replicas (minutes, with a long drainTimeout),
    // and the next start repairs an interrupted rollout as it does after kill -9.
    void databaseLock?.lost.then((reason) => {
      // Even in the middle of a graceful shutdown: that may wait for rollouts a while longer.
      if (options.handleSignals) {
        app.log.fatal({ reason: reason.message }, "lost the platform lock on the database: exiting");
        process.exit(1);
      }
      if (closing === undefined) {
        app.log.fatal(
          { reason: reason.message },
          "lost the platform lock on the database: stopping the platform",
        );
        shutDown("lost the database lock", 1);
      }
    });
    return { url, routerUrl: services.routerUrl() ?? "", services, adminToken, app, close };
  } catch (error) {
    await services?.close().catch(() => undefined);
    await store.close();
    await releaseLocks();
    throw error;
  }
}
