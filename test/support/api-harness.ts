import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from "fastify";
import { bootstrapAdmin } from "../../src/api/auth/bootstrap-admin.js";
import { buildApi } from "../../src/api/build-api.js";
import type { ApiContext } from "../../src/api/context.js";
import { EventBus } from "../../src/api/event-bus.js";
import { createRunServices } from "../../src/api/run-context.js";
import { bindRole, createUser, issueToken, openStore, SecretBox } from "../../src/store/index.js";

export interface TestApi {
  app: FastifyInstance;
  ctx: ApiContext;
  home: string;
  adminToken: string;
  /** A fresh user with the given bindings (role per environment) and a token for it. */
  userWith(bindings: Record<string, string>, name?: string): Promise<string>;
  /** `app.inject` with a bearer token. */
  call(token: string | null, options: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

let users = 0;

const quietLog = { info() {}, warn() {}, error() {} };

/**
 * An API on a fresh SQLite store in a temp dir (or PostgreSQL when `databaseUrl` is given),
 * with the bootstrap admin created, for in-process requests through `app.inject`.
 */
export async function startTestApi(options: { databaseUrl?: string } = {}): Promise<TestApi> {
  const home = await mkdtemp(join(tmpdir(), "slipway-api-"));
  const store = await openStore({ home, databaseUrl: options.databaseUrl });
  const secretBox = await SecretBox.load({ home });
  const bus = new EventBus();
  const run = createRunServices({
    store,
    secretBox,
    bus,
    home,
    log: quietLog,
    routerPort: 0,
    stopGraceMs: 2000,
    backoff: { initialDelayMs: 200, maxDelayMs: 1000, resetAfterMs: 10_000 },
  });
  await run.start();
  const ctx: ApiContext = { store, secretBox, bus, version: "0.0.0-test", run };
  const app = await buildApi(ctx, { eventStream: { pollIntervalMs: 200 } });
  const adminToken = await bootstrapAdmin(store);
  if (adminToken === null) {
    throw new Error("a fresh store must bootstrap an admin");
  }
  return {
    app,
    ctx,
    home,
    adminToken,
    async userWith(bindings, name) {
      users += 1;
      const user = await createUser(store.db, name ?? `user-${users}-${Date.now().toString(36)}`);
      for (const [environment, role] of Object.entries(bindings)) {
        await bindRole(store.db, user.id, role, environment);
      }
      const { token } = await issueToken(store.db, { userId: user.id, name: "test", expiresAt: null });
      return token;
    },
    call(token, opts) {
      const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
      if (token !== null) {
        headers.authorization = `Bearer ${token}`;
      }
      return app.inject({ ...opts, headers });
    },
    async close() {
      await app.close();
      await run.down();
      await store.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}

/** A small valid slipway.yaml with staging, and production behind approval. */
export function sampleSpec(name = "hello-api"): string {
  return [
    `service: ${name}`,
    "start: node server.js",
    "port: 8080",
    "health:",
    "  readiness:",
    "    http: /healthz",
    "environments:",
    "  staging: {}",
    "  production:",
    "    approval: required",
    "",
  ].join("\n");
}
