import type { SecretBox, Store } from "../store/index.js";
import type { EventBus } from "./event-bus.js";

/** What every route needs from the running platform. */
export interface ApiContext {
  store: Store;
  secretBox: SecretBox;
  bus: EventBus;
  version: string;
}
