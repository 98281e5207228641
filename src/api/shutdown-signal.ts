import type { FastifyInstance } from "fastify";

declare module "fastify" {
  interface FastifyInstance {
    /** Aborts when the server begins to close: long polls answer at once instead of holding it open. */
    shuttingDown: AbortSignal;
  }
}

/** Waits for `work`, or less: until `signal` aborts. The listener goes with the wait. */
export async function untilAborted(signal: AbortSignal, work: Promise<unknown>): Promise<void> {
  let stop: (() => void) | undefined;
  const aborted = new Promise<void>((resolve) => {
    stop = () => resolve();
    if (signal.aborted) {
      resolve();
    } else {
      signal.addEventListener("abort", stop, { once: true });
    }
  });
  try {
    await Promise.race([work, aborted]);
  } finally {
    if (stop !== undefined) {
      signal.removeEventListener("abort", stop);
    }
  }
}

/**
 * Gives routes a signal of the server's shutdown. Node's close waits for every request in
 * flight, so a long poll (`/deployments/:id/wait`, a minute by default) held shutdown, and the
 * router's downtime, for up to that long; answered early, the client asks again after the restart.
 */
export function trackShutdown(app: FastifyInstance): void {
  const shutdown = new AbortController();
  app.decorate("shuttingDown", shutdown.signal);
  app.addHook("preClose", async () => shutdown.abort());
}
