import { parentPort, workerData } from "node:worker_threads";
import { createRouter } from "./create-router.js";
import {
  type RouterThreadMessage,
  type RouterThreadOptions,
  type RouterThreadRequest,
  toThreadError,
} from "./router-thread-protocol.js";
import type { Router } from "./types.js";

/** The router thread's side: one in-process router, driven by the platform's messages. */
export function serveRouterThread(): void {
  const port = parentPort;
  if (port === null) {
    throw new Error("router-thread-main runs in a worker thread only");
  }
  const send = (message: RouterThreadMessage) => port.postMessage(message);
  const router = createRouter({
    ...(workerData as RouterThreadOptions),
    logger: { warn: (details, message) => send({ warn: { details, message } }) },
  });
  port.on("message", (request: RouterThreadRequest) => {
    answer(router, request).then(
      (value) => send({ call: request.call, ok: true, value }),
      (error: unknown) => send({ call: request.call, ok: false, error: toThreadError(error) }),
    );
    if (request.op === "close") {
      // Once closed, nothing is left to keep the thread alive: it ends by itself.
      port.unref();
    }
  });
}

async function answer(router: Router, request: RouterThreadRequest): Promise<unknown> {
  switch (request.op) {
    case "listen":
      return router.listen();
    case "setRoutes":
      router.setRoutes(request.routes);
      return undefined;
    case "outstanding":
      return router.outstanding(request.upstreamId);
    case "responses":
      return router.responses(request.service, request.environment, request.release);
    case "metricsText":
      return router.metricsText();
    case "close":
      return router.close();
    case "ping":
      return undefined;
    case "stall": {
      const until = Date.now() + request.ms;
      while (Date.now() < until) {
        // Busy on purpose: the loop must not turn.
      }
      return undefined;
    }
  }
}
