import type { DeployController, ReleaseService } from "../deploy/index.js";
import type { AnyRouter } from "../router/index.js";
import type { Runtime } from "../runtime/index.js";
import type { SecretBox, Store } from "../store/index.js";
import type { EventBus } from "./event-bus.js";

/** The parts that run services: deploys, releases, the router. */
export interface RunContext {
  controller: DeployController;
  releases: ReleaseService;
  runtime: Runtime;
  router: AnyRouter;
  /** The router's base URL once it listens (for the URLs `status` shows). */
  routerUrl: () => string | null;
  /** The data directory: release builds and replica logs live there. */
  home: string;
  /** Set by the platform: stops every replica, then the platform itself (`slipway down`). */
  requestDown?: () => void;
}

/** What every route needs from the running platform. */
export interface ApiContext {
  store: Store;
  secretBox: SecretBox;
  bus: EventBus;
  version: string;
  run: RunContext;
}
