import {
  type ControllerLogger,
  DeployController,
  type IsolationMode,
  ReleaseService,
  runtimeStateDir,
  type WorkloadUsers,
  workloadUsers,
} from "../deploy/index.js";
import { type AnyRouter, createRouter, createThreadedRouter } from "../router/index.js";
import type { BackoffPolicy } from "../runtime/index.js";
import { createProcessRuntime } from "../runtime/index.js";
import type { SecretBox, Store } from "../store/index.js";
import type { RunContext } from "./context.js";
import { type EventBus, publishEvent } from "./event-bus.js";

export interface RunContextOptions {
  store: Store;
  secretBox: SecretBox;
  bus: EventBus;
  home: string;
  log: ControllerLogger;
  routerHost?: string;
  /** Default 7480; 0 picks a free port. */
  routerPort?: number;
  /** The router on this event loop rather than its own thread (see PlatformOptions). */
  routerInProcess?: boolean;
  backoff?: BackoffPolicy;
  stopGraceMs?: number;
  /** Replicas and builds as users of their own (when the platform is root); default "auto". */
  isolation?: IsolationMode;
}

export interface RunningServices extends RunContext {
  /** The users replicas and builds run as, and why not when they run as the platform's. */
  users: WorkloadUsers;
  /** Starts the router and adopts or repairs the replicas recorded before a restart. */
  start(): Promise<void>;
  /** Stops supervising and routing; replicas keep running for the next start to adopt. */
  close(): Promise<void>;
  /** Stops every replica too (`slipway down`). */
  down(): Promise<void>;
}

/** The runtime, router, deploy controller and release builder of one platform, wired together. */
export function createRunServices(options: RunContextOptions): RunningServices {
  const runtime = createProcessRuntime({ stateDir: runtimeStateDir(options.home) });
  const routerOptions = {
    host: options.routerHost ?? "127.0.0.1",
    ...(options.routerPort === undefined ? {} : { port: options.routerPort }),
    logger: options.log,
  };
  // In a thread of its own: the store's synchronous writes and the API never delay a request
  // (measured: bench/router-isolation.ts).
  const router: AnyRouter =
    options.routerInProcess === true ? createRouter(routerOptions) : createThreadedRouter(routerOptions);
  const publish = (event: {
    kind: string;
    message: string;
    service: string;
    environment: string;
    data?: unknown;
  }) =>
    publishEvent(options.store, options.bus, {
      ...event,
      environment: event.environment === "" ? null : event.environment,
      actor: "slipway",
    });
  const users = workloadUsers({
    home: options.home,
    db: options.store.db,
    ...(options.isolation === undefined ? {} : { mode: options.isolation }),
  });
  if (users.disabledBecause !== undefined) {
    options.log.warn(
      { reason: users.disabledBecause },
      "replicas and builds run as the platform's own user, so their code can read its data directory",
    );
  }
  const controller = new DeployController({
    users,
    store: options.store,
    secretBox: options.secretBox,
    runtime,
    router,
    home: options.home,
    publish,
    log: options.log,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    ...(options.stopGraceMs === undefined ? {} : { stopGraceMs: options.stopGraceMs }),
  });
  const releases = new ReleaseService({
    users,
    store: options.store,
    home: options.home,
    publish,
    log: options.log,
    controller,
    // `#` is in no replica id: a build's cgroups never take the name of a replica's.
    buildCgroups: (service, version) => runtime.createWorkCgroups(`${service}#build-v${version}`),
  });
  let routerUrl: string | null = null;
  return {
    users,
    controller,
    releases,
    runtime,
    router,
    home: options.home,
    routerUrl: () => routerUrl,
    async start() {
      // The route table first: a router that listened before the replicas were adopted answered
      // 404, then 503, for the first moments after every restart.
      await releases.failInterruptedBuilds();
      await releases.sealReleasesBuiltBefore();
      await controller.start();
      routerUrl = (await router.listen()).url;
    },
    async close() {
      await controller.close();
      await router.close();
      await runtime.close();
    },
    async down() {
      await controller.stopAll();
      await this.close();
    },
  };
}
