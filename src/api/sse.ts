import type { ServerResponse } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpProblem, type ProblemDocument, pathOf, problemDocument } from "./problem.js";

declare module "fastify" {
  interface FastifyInstance {
    /** Open server-sent event responses, ended before shutdown waits for connections to close. */
    sseStreams: Set<ServerResponse>;
  }
}

/** Ends every open stream before the server waits for its connections, or shutdown would hang. */
export function trackSseStreams(app: FastifyInstance): void {
  app.decorate("sseStreams", new Set<ServerResponse>());
  app.addHook("preClose", async () => {
    for (const res of app.sseStreams) {
      res.end();
    }
  });
}

/** A server-sent events response the route writes to until the client goes away or it ends it. */
export interface SseChannel {
  send(event: string, data: unknown, id?: string | number): void;
  /** True while the client reads slower than we write: followers pause instead of buffering without end. */
  readonly congested: boolean;
  readonly closed: boolean;
  /** Aborts when the client disconnects (or `end` was called). */
  readonly signal: AbortSignal;
  end(): void;
  raw: ServerResponse;
}

const heartbeatMs = 15_000;
/** How often an open stream checks that its reader may still read it. */
const recheckMs = 5_000;
/** Beyond this many buffered bytes a follower waits for the client to catch up. */
const congestionBytes = 1024 * 1024;

/** How an open stream is kept to readers who may still read it. */
export interface SseOptions {
  heartbeatMs?: number;
  /**
   * Rejects (with an {@link HttpProblem}) once the reader may no longer read: its token revoked
   * or expired, its user disabled, its role gone. Checked every few seconds; the stream then
   * sends the problem as an `error` event and ends, as a request made now would be refused.
   */
  stillAllowed?: () => Promise<void>;
  recheckMs?: number;
}

/** Takes over the reply and starts a `text/event-stream` response with heartbeats. */
export function openSse(request: FastifyRequest, reply: FastifyReply, options: SseOptions = {}): SseChannel {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "x-request-id": request.id,
  });
  res.write(": connected\n\n");
  const aborter = new AbortController();
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs ?? heartbeatMs);
  const streams = request.server.sseStreams;
  streams.add(res);
  const { stillAllowed } = options;
  const recheck =
    stillAllowed === undefined
      ? undefined
      : setInterval(() => {
          stillAllowed().catch((error: unknown) => {
            if (!res.writableEnded) {
              res.write(`event: error\ndata: ${JSON.stringify(refusal(error, request.url))}\n\n`);
              res.end();
            }
          });
        }, options.recheckMs ?? recheckMs);
  const finish = () => {
    clearInterval(heartbeat);
    clearInterval(recheck);
    streams.delete(res);
    aborter.abort();
  };
  res.on("close", finish);
  return {
    send(event, data, id) {
      if (res.writableEnded) {
        return;
      }
      res.write(`${id === undefined ? "" : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    get congested() {
      return res.writableLength > congestionBytes;
    },
    get closed() {
      return res.writableEnded || aborter.signal.aborted;
    },
    signal: aborter.signal,
    end() {
      finish();
      if (!res.writableEnded) {
        res.end();
      }
    },
    raw: res,
  };
}

function refusal(error: unknown, url: string): ProblemDocument {
  return error instanceof HttpProblem
    ? problemDocument(error.status, error.slug, error.message, pathOf(url))
    : problemDocument(401, "unauthenticated", "This stream could not check its token again.", pathOf(url));
}
