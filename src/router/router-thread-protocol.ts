import type { RouteEntry, RouterOptions } from "./types.js";

/** What the router thread is started with: its options minus the logger, which stays here. */
export type RouterThreadOptions = Omit<RouterOptions, "logger">;

/** What the platform asks of the router thread. */
export type RouterThreadCall =
  | { op: "listen" }
  | { op: "setRoutes"; routes: RouteEntry[] }
  | { op: "outstanding"; upstreamId: string }
  | { op: "responses"; service: string; environment: string; release: string }
  | { op: "metricsText" }
  | { op: "close" }
  /** The liveness check: answered at once by a thread whose event loop still turns. */
  | { op: "ping" }
  /** Blocks the thread's event loop for `ms` (tests: a stand-in for a hung router). */
  | { op: "stall"; ms: number };

/** A call as it is posted: `call` pairs it with its answer. */
export type RouterThreadRequest = RouterThreadCall & { call: number };

/** An error as it crosses threads: the message, and the fields callers act on. */
export interface ThreadError {
  message: string;
  code?: string;
  router?: boolean;
}

/** What the router thread sends back: answers, and the warnings its logger would have written. */
export type RouterThreadMessage =
  | { call: number; ok: true; value: unknown }
  | { call: number; ok: false; error: ThreadError }
  | { warn: { details: object; message: string } };

export function toThreadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) {
    return { message: String(error) };
  }
  const { code, router } = error as { code?: unknown; router?: unknown };
  return {
    message: error.message,
    ...(typeof code === "string" ? { code } : {}),
    ...(router === true ? { router: true } : {}),
  };
}

export function fromThreadError(error: ThreadError): Error {
  return Object.assign(new Error(error.message), {
    ...(error.code === undefined ? {} : { code: error.code }),
    ...(error.router === undefined ? {} : { router: error.router }),
  });
}
