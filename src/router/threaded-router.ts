import { Worker } from "node:worker_threads";
import {
  fromThreadError,
  type RouterThreadCall,
  type RouterThreadMessage,
  type RouterThreadOptions,
} from "./router-thread-protocol.js";
import type { ResponseCounts, RouteEntry, RouterOptions, ThreadedRouter } from "./types.js";
import { checkUpstreamUrls } from "./upstream-target.js";

const entry = new URL(
  import.meta.url.endsWith(".ts") ? "./router-thread-entry.ts" : "./router-thread-entry.js",
  import.meta.url,
);

// A thread that ran this long before dying is restarted at once; one that dies sooner waits
// 100 ms, then twice as long each time, up to 10 s (a crash at start must not spin the CPU).
const stableAfterMs = 10_000;
const minRestartDelayMs = 100;
const maxRestartDelayMs = 10_000;

/** How often the thread is asked whether its event loop still turns, and how long it may not answer. */
export interface RouterThreadLiveness {
  intervalMs?: number;
  timeoutMs?: number;
}
const defaultLiveness = { intervalMs: 2_000, timeoutMs: 10_000 };

/** Lets a test stop the thread as a crash would. */
export const routerThreadOf = Symbol("router thread");
/** Lets a test hang the thread's event loop, as a bug in it would. */
export const stallRouterThread = Symbol("stall the router thread");

type Pending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  op: RouterThreadCall["op"];
};

/**
 * The router in a worker thread of its own: its event loop, heap and garbage collector are not
 * the platform's, so the store's synchronous writes, builds, uploads and API requests on the
 * platform's loop never hold up a proxied request. The same router as `createRouter`, asked by
 * message; messages keep their order, so an `outstanding` asked after `setRoutes` sees the new
 * table. A thread that dies unexpectedly is started again on the same port with the last route
 * table (requests in flight at that moment are lost, as they would be in any proxy crash). A
 * thread that is alive but stuck (its event loop has not answered a ping for `timeoutMs`, 10 s
 * by default) is ended and started again the same way, as a liveness probe would.
 */
export function createThreadedRouter(
  options: RouterOptions = {},
  liveness: RouterThreadLiveness = {},
): ThreadedRouter & {
  [routerThreadOf]: () => Worker;
  /** Tests: blocks the thread's event loop for `ms`. */
  [stallRouterThread]: (ms: number) => void;
} {
  const { logger, ...threadOptions } = options;
  const { intervalMs, timeoutMs } = { ...defaultLiveness, ...liveness };
  const pending = new Map<number, Pending>();
  let calls = 0;
  let routes: RouteEntry[] | undefined;
  let listening: { port: number } | undefined;
  let closing = false;
  // A thread that keeps dying soon after it starts is restarted less and less often.
  let startedAt = 0;
  let restartDelayMs = 0;
  let alive = false;
  // When the unanswered ping was sent (0: none is waiting).
  let pingSentAt = 0;
  let worker = start(threadOptions);
  const watchdog = setInterval(checkLiveness, intervalMs);
  watchdog.unref();

  function checkLiveness(): void {
    if (!alive || closing) {
      return;
    }
    if (pingSentAt === 0) {
      pingSentAt = Date.now();
      const thread = worker;
      call({ op: "ping" }).then(
        () => {
          if (thread === worker) {
            pingSentAt = 0;
          }
        },
        () => undefined,
      );
      return;
    }
    const silentMs = Date.now() - pingSentAt;
    if (silentMs >= timeoutMs) {
      logger?.warn({ silentMs }, "the router thread stopped answering; ending it to start it again");
      pingSentAt = 0;
      void worker.terminate();
    }
  }

  function start(startOptions: RouterThreadOptions): Worker {
    startedAt = Date.now();
    pingSentAt = 0;
    alive = true;
    const thread = new Worker(entry, { workerData: startOptions, name: "slipway-router" });
    thread.on("message", (message: RouterThreadMessage) => {
      if ("warn" in message) {
        logger?.warn(message.warn.details, message.warn.message);
        return;
      }
      const waiting = pending.get(message.call);
      pending.delete(message.call);
      if (message.ok) {
        waiting?.resolve(message.value);
      } else {
        waiting?.reject(fromThreadError(message.error));
      }
    });
    // An uncaught exception in the thread; its exit follows, and the restart with it.
    thread.on("error", (error) => logger?.warn({ error: error.message }, "the router thread failed"));
    thread.on("exit", (code) => {
      if (thread !== worker) {
        return;
      }
      alive = false;
      settleAll();
      if (!closing) {
        const livedMs = Date.now() - startedAt;
        restartDelayMs =
          livedMs > stableAfterMs
            ? 0
            : Math.min(maxRestartDelayMs, Math.max(minRestartDelayMs, restartDelayMs * 2));
        logger?.warn(
          { exitCode: code, restartInMs: restartDelayMs },
          "the router thread ended unexpectedly; starting it again",
        );
        setTimeout(() => {
          if (!closing) {
            restart();
          }
        }, restartDelayMs);
      }
    });
    return thread;
  }

  /** Calls the thread could not answer: nothing is in flight on a thread that is gone. */
  function settleAll(): void {
    for (const [call, waiting] of pending) {
      pending.delete(call);
      settleUnanswered(waiting);
    }
  }

  function settleUnanswered(waiting: Pending): void {
    if (waiting.op === "outstanding") {
      waiting.resolve(0);
    } else if (waiting.op === "close" || waiting.op === "setRoutes") {
      // Routes are replayed to the next thread; a closed router has nothing to close.
      waiting.resolve(undefined);
    } else {
      waiting.reject(new Error(`the router thread is not running (it is being restarted): ${waiting.op}`));
    }
  }

  function restart(): void {
    worker = start({ ...threadOptions, ...(listening === undefined ? {} : { port: listening.port }) });
    if (routes !== undefined) {
      sendRoutes(routes);
    }
    if (listening !== undefined) {
      call({ op: "listen" }).catch((error: Error) =>
        logger?.warn({ error: error.message }, "the restarted router thread cannot listen"),
      );
    }
  }

  function sendRoutes(table: RouteEntry[]): void {
    call({ op: "setRoutes", routes: table }).catch((error: Error) =>
      logger?.warn({ error: error.message }, "the router thread refused a route table"),
    );
  }

  function call(request: RouterThreadCall): Promise<unknown> {
    const id = ++calls;
    return new Promise((resolve, reject) => {
      const waiting = { resolve, reject, op: request.op };
      if (!alive) {
        settleUnanswered(waiting);
        return;
      }
      pending.set(id, waiting);
      worker.postMessage({ ...request, call: id });
    });
  }

  return {
    setRoutes(next) {
      // Checked here so a bad table throws at the caller, as the in-process router's does.
      checkUpstreamUrls(next.flatMap((route) => route.upstreams));
      routes = next;
      sendRoutes(next);
    },
    outstanding: async (upstreamId) => (await call({ op: "outstanding", upstreamId })) as number,
    responses: async (service, environment, release) =>
      (await call({ op: "responses", service, environment, release })) as ResponseCounts,
    metricsText: async () => (await call({ op: "metricsText" })) as string,
    listen: async () => {
      const bound = (await call({ op: "listen" })) as { url: string };
      listening = { port: Number(new URL(bound.url).port) };
      return bound;
    },
    close: async () => {
      closing = true;
      clearInterval(watchdog);
      // A stuck thread would never answer: it is ended after the liveness timeout all the same.
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      });
      await Promise.race([call({ op: "close" }), stuck]);
      clearTimeout(timer);
      await worker.terminate();
    },
    [routerThreadOf]: () => worker,
    [stallRouterThread]: (ms) => {
      call({ op: "stall", ms }).catch(() => undefined);
    },
  };
}
