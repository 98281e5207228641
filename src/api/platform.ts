import { readFileSync } from "node:fs";
import type { FastifyInstance } from "fastify";
import { openStore, SecretBox } from "../store/index.js";
import { bootstrapAdmin } from "./auth/bootstrap-admin.js";
import { buildApi } from "./build-api.js";
import { EventBus, publishEvent } from "./event-bus.js";
import type { Readiness } from "./routes/meta.js";

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
}

export interface RunningPlatform {
  url: string;
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
  const store = await openStore({ home: options.home, databaseUrl: options.databaseUrl });
  const readiness: Readiness = { ready: false };
  let app: FastifyInstance;
  try {
    const secretBox = await SecretBox.load({ home: options.home, key: options.secretKey });
    const bus = new EventBus();
    const version = packageVersion();
    app = await buildApi(
      { store, secretBox, bus, version },
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
    const adminToken = await bootstrapAdmin(store);
    await app.listen({ port: options.port ?? defaultPort, host: options.host ?? "127.0.0.1" });
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

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        readiness.ready = false;
        await app.close();
        await store.close();
      })();
      return closing;
    };
    if (options.handleSignals) {
      const onSignal = (signal: NodeJS.Signals) => {
        app.log.info({ signal }, "shutting down: finishing in-flight requests");
        close().then(
          () => process.exit(0),
          (error: unknown) => {
            app.log.error({ err: error }, "shutdown failed");
            process.exit(1);
          },
        );
      };
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
    }
    return { url, adminToken, app, close };
  } catch (error) {
    await store.close();
    throw error;
  }
}
