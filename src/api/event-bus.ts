import { EventEmitter } from "node:events";
import type { Store } from "../store/index.js";
import { appendEvent, type EventRecord } from "../store/index.js";

/**
 * Wakes live event streams in this process when an event is appended. Streams also poll the
 * store, so events written by another Slipway process sharing PostgreSQL still arrive.
 */
export class EventBus {
  readonly #emitter = new EventEmitter();

  constructor() {
    // Every open stream listens; hundreds of dashboards are normal, not a leak.
    this.#emitter.setMaxListeners(0);
  }

  notify(event: EventRecord): void {
    this.#emitter.emit("event", event);
  }

  subscribe(listener: (event: EventRecord) => void): () => void {
    this.#emitter.on("event", listener);
    return () => this.#emitter.off("event", listener);
  }
}

export interface DomainEventInput {
  kind: string;
  message: string;
  service?: string | null;
  environment?: string | null;
  actor?: string | null;
  data?: unknown;
}

/** Writes an event to the timeline and wakes the live streams. */
export async function publishEvent(
  store: Store,
  bus: EventBus,
  input: DomainEventInput,
): Promise<EventRecord> {
  const event = await appendEvent(store.db, {
    kind: input.kind,
    message: input.message,
    service: input.service ?? undefined,
    environment: input.environment ?? undefined,
    actor: input.actor ?? undefined,
    data: input.data,
  });
  bus.notify(event);
  return event;
}
