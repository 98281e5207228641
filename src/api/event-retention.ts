import type { Logger } from "pino";
import { pruneEventsBefore, type Store } from "../store/index.js";

/** Events are kept this long unless the operator says otherwise (`slipway up --event-retention`). */
export const defaultEventRetentionMs = 90 * 86_400_000;
const defaultIntervalMs = 3_600_000;

/**
 * Keeps the event timeline to `retentionMs`: prunes older events once at start, then every hour
 * (like Prometheus' retention, by age; the audit log is not touched). A failed pass is logged and
 * tried again at the next one: retention must never take the platform down.
 */
export function startEventRetention(options: {
  store: Store;
  retentionMs: number;
  log: Pick<Logger, "info" | "warn">;
  intervalMs?: number;
}): { stop(): Promise<void>; pass(): Promise<number> } {
  const { store, retentionMs, log } = options;
  let running: Promise<number> | undefined;
  const pass = (): Promise<number> => {
    running ??= pruneEventsBefore(store.db, new Date(Date.now() - retentionMs).toISOString())
      .then(
        (pruned) => {
          if (pruned > 0) {
            log.info({ pruned, retentionMs }, "pruned events past their retention");
          }
          return pruned;
        },
        (error: unknown) => {
          log.warn({ err: error }, "could not prune old events; trying again later");
          return 0;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  void pass();
  const timer = setInterval(() => void pass(), options.intervalMs ?? defaultIntervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
    pass,
  };
}
