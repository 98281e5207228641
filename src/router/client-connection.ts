import type { Socket } from "node:net";
import {
  type BodyVerdict,
  bodyReadByCaller,
  HttpParser,
  isParseError,
  type ParsedHead,
  type ParseError,
  sizedBodyPart,
} from "./http-parser.js";
import { type RequestHead, readRequestHead } from "./request-head.js";
import type { ClientTimeouts } from "./types.js";
import { readIntoBuffer, streamReadsFrom } from "./user-buffer-reads.js";

/** One request on a client connection, as the connection drives it. */
export interface ClientExchange {
  /** It reached the front of the connection's queue: it may write its response now. */
  start(): void;
  onRequestBody(chunk: Buffer): void;
  /** The request is complete; `trailers` follow a chunked body (flat `[name, value, …]`). */
  onRequestComplete(trailers: string[]): void;
  /** The client went away before the exchange called `finished`. */
  abort(): void;
  /** The client's socket has room again after a write returned false. */
  onClientDrain(): void;
}

/** What a client connection asks of the router around it. */
export interface ClientConnectionHost {
  /** An exchange for a request whose head has arrived. */
  exchangeFor(connection: ClientConnection, head: RequestHead): ClientExchange;
  /** A WebSocket handshake: the socket (and `rest`, bytes after the head) are the tunnel's now. */
  upgrade(socket: Socket, head: RequestHead, rest: Buffer): void;
  /** Bytes that are not HTTP: the answer to write before closing. */
  parseFailed(error: ParseError): string;
  /** A request head did not arrive in time: the answer to write before closing. */
  headersTimedOut(): string;
  closed(connection: ClientConnection): void;
}

// Requests parsed ahead of the one being answered (pipelining) before reading pauses.
const maxQueued = 16;

/**
 * How bytes llhttp refuses without an error (right after a relayed body or a declined protocol
 * switch, see `onData`) are answered: like any other bytes that are not HTTP.
 */
const notARequest = Object.assign(new Error("Invalid method encountered"), {
  code: "HPE_INVALID_METHOD",
  reason: "Invalid method encountered",
}) as ParseError;

/**
 * Every client connection reads into this one buffer: reads are parsed synchronously, and
 * request body bytes and the bytes after a WebSocket handshake are copied by whoever keeps them.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * One client's HTTP/1.1 connection on a raw socket: llhttp parses requests, each becomes an
 * exchange, and exchanges answer strictly in order (pipelined requests wait their turn, as
 * RFC 9112 §9.3.2 requires). Time limits are checked by the router's sweep, not a timer per
 * request.
 */
export class ClientConnection {
  readonly socket: Socket;
  /** Date.now() of the last bytes read. */
  lastActivity: number;
  private readonly host: ClientConnectionHost;
  private readonly parser: HttpParser;
  private readonly queue: ClientExchange[] = [];
  /** The exchange whose request body the parser is delivering. */
  private receiving: ClientExchange | undefined;
  /** When the head being read began (0: not reading a head). */
  private headStartedAt = 0;
  private pendingUpgrade: RequestHead | undefined;
  /** Set when no more requests will be read: the client said close, or sent something broken. */
  private closing = false;
  /** The answer to a broken request, written once the requests before it are answered. */
  private finalAnswer: string | undefined;
  private readPaused = false;
  /** Reads land in the shared buffer (see `readIntoBuffer`), not in fresh 'data' chunks. */
  private readonly userBuffer: boolean;
  private upstreamPaused = false;
  private ended = false;
  /** Bytes still to come of a sized request body the connection relays itself (see `onHead`). */
  private bodyLeft = 0;

  constructor(socket: Socket, host: ClientConnectionHost) {
    this.socket = socket;
    this.host = host;
    this.lastActivity = Date.now();
    this.parser = new HttpParser("request", {
      onHead: (head) => this.onHead(head),
      onBody: (chunk) => this.receiving?.onRequestBody(chunk),
      onComplete: (trailers) => {
        if (this.bodyLeft > 0) {
          // llhttp ends a message at its head when the connection relays the body (relayBody).
          return;
        }
        const receiving = this.receiving;
        this.receiving = undefined;
        receiving?.onRequestComplete(trailers);
      },
    });
    // The socket was accepted paused (pauseOnConnect), so no byte was read before this.
    this.userBuffer = readIntoBuffer(socket, readBuffer, (length) => {
      this.onData(readBuffer.subarray(0, length));
      return !socket.isPaused();
    });
    if (!this.userBuffer) {
      socket.on("data", this.onData);
    }
    socket.resume();
    socket.on("drain", () => this.queue[0]?.onClientDrain());
    socket.on("end", () => this.onEnd());
    socket.on("error", () => socket.destroy());
    socket.on("close", () => this.onClose());
  }

  /** The exchange at the front has written its whole response (`close`: end the connection). */
  finished(exchange: ClientExchange, close: boolean): void {
    if (this.queue[0] !== exchange) {
      return;
    }
    this.queue.shift();
    if (close) {
      this.closing = true;
      this.finalAnswer = undefined;
      this.dropQueued();
    }
    const next = this.queue[0];
    if (next !== undefined) {
      next.start();
    } else if (this.pendingUpgrade !== undefined) {
      this.startUpgrade(this.pendingUpgrade, Buffer.alloc(0));
      return;
    } else if (this.closing) {
      this.end(this.finalAnswer);
      return;
    }
    if (this.readPaused && this.queue.length < maxQueued) {
      this.readPaused = false;
      this.updatePause();
    }
  }

  /** Stops reading the client until `resumeReading` (a replica is slow to take the body). */
  pauseReading(): void {
    this.upstreamPaused = true;
    this.updatePause();
  }

  resumeReading(): void {
    this.upstreamPaused = false;
    this.updatePause();
  }

  /** Ends the connection now, whatever is in flight. */
  destroy(): void {
    this.socket.destroy();
  }

  /** The router's periodic check of the connection's time limits. */
  sweep(now: number, timeouts: ClientTimeouts): void {
    if (this.ended) {
      return;
    }
    if (this.headStartedAt !== 0) {
      if (now - this.headStartedAt > timeouts.headersTimeoutMs) {
        this.headStartedAt = 0;
        this.closing = true;
        this.dropQueued();
        this.end(this.host.headersTimedOut());
      }
      return;
    }
    const idle = this.queue.length === 0 && this.receiving === undefined;
    if (idle && now - this.lastActivity > timeouts.keepAliveTimeoutMs) {
      this.socket.destroy();
      return;
    }
    const uploading = this.receiving !== undefined && !this.readPaused && !this.upstreamPaused;
    if (uploading && now - this.lastActivity > timeouts.bodyIdleTimeoutMs) {
      this.socket.destroy();
    }
  }

  private readonly onData = (chunk: Buffer): void => {
    this.lastActivity = Date.now();
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        offset = this.relayBody(chunk, offset);
        continue;
      }
      if (this.receiving === undefined && this.headStartedAt === 0) {
        // Bytes between requests start a head: its clock runs until onHead (cheaper than llhttp's
        // message-begin callback on every request).
        this.headStartedAt = this.lastActivity;
      }
      const data = offset === 0 ? chunk : chunk.subarray(offset);
      const result = this.parser.execute(data);
      if (isParseError(result) || result === 0) {
        // After a relayed body or a declined protocol switch, llhttp reads as after an upgrade
        // until the next request begins, and reports bytes it refuses as none consumed.
        this.onParseError(isParseError(result) ? result : notARequest);
        return;
      }
      if (this.pendingUpgrade !== undefined) {
        this.socket.off("data", this.onData);
        this.socket.pause();
        const rest = Buffer.from(data.subarray(result));
        if (this.queue.length === 0) {
          this.startUpgrade(this.pendingUpgrade, rest);
        } else {
          this.socket.unshift(rest);
        }
        return;
      }
      // Fewer bytes consumed: a sized body follows (relayed above), or a protocol switch the
      // router declined (not WebSocket), after which the rest is plain HTTP again.
      offset += result;
    }
  };

  /** Passes on the sized body's bytes in `chunk` from `offset`; returns where they end. */
  private relayBody(chunk: Buffer, offset: number): number {
    const part = sizedBodyPart(chunk, offset, this.bodyLeft);
    this.bodyLeft -= part.length;
    this.receiving?.onRequestBody(part);
    if (this.bodyLeft === 0) {
      const receiving = this.receiving;
      this.receiving = undefined;
      receiving?.onRequestComplete([]);
    }
    return offset + part.length;
  }

  private onHead(parsed: ParsedHead): BodyVerdict {
    this.headStartedAt = 0;
    const head = readRequestHead(parsed, this.socket.remoteAddress ?? "");
    if (head.upgrade && head.upgradeProtocol?.toLowerCase() === "websocket") {
      this.pendingUpgrade = head;
      return false;
    }
    if (!head.keepAlive) {
      this.closing = true;
    }
    const exchange = this.host.exchangeFor(this, head);
    this.receiving = exchange;
    this.queue.push(exchange);
    if (this.queue.length === 1) {
      exchange.start();
    } else if (this.queue.length >= maxQueued && !this.readPaused) {
      this.readPaused = true;
      this.updatePause();
    }
    const length = head.contentLength === undefined || head.chunked ? 0 : Number(head.contentLength);
    if (length > 0 && Number.isSafeInteger(length) && !head.upgrade) {
      // A sized body is relayed straight from the read buffer, not through llhttp's onBody.
      this.bodyLeft = length;
      return bodyReadByCaller;
    }
    return false;
  }

  private onParseError(error: ParseError): void {
    if (this.closing) {
      // Bytes after a request that said `Connection: close` are not read, as in node:http.
      return;
    }
    this.closing = true;
    this.socket.pause();
    this.finalAnswer = this.host.parseFailed(error);
    if (this.queue.length === 0) {
      this.end(this.finalAnswer);
    }
  }

  private onEnd(): void {
    // The client closed its side: like node:http (and nginx's 499), what it asked for is
    // abandoned and the replicas' work stopped.
    this.socket.destroy();
  }

  private onClose(): void {
    this.ended = true;
    this.dropQueued();
    this.queue[0]?.abort();
    this.queue.length = 0;
    this.receiving = undefined;
    this.parser.close();
    this.host.closed(this);
  }

  private startUpgrade(head: RequestHead, rest: Buffer): void {
    this.pendingUpgrade = undefined;
    this.ended = true;
    this.socket.off("data", this.onData);
    if (this.userBuffer) {
      streamReadsFrom(this.socket, readBuffer);
    }
    this.socket.removeAllListeners("drain");
    this.socket.removeAllListeners("end");
    this.socket.removeAllListeners("close");
    this.parser.close();
    this.host.closed(this);
    this.host.upgrade(this.socket, head, rest);
  }

  /** Forgets requests parsed after the one being answered: they will never be answered. */
  private dropQueued(): void {
    for (const exchange of this.queue.splice(1)) {
      exchange.abort();
    }
  }

  private end(answer: string | undefined): void {
    this.ended = true;
    if (answer === undefined) {
      this.socket.end();
    } else {
      this.socket.end(answer);
    }
  }

  private updatePause(): void {
    if (this.readPaused || this.upstreamPaused) {
      this.socket.pause();
    } else if (!this.ended && this.pendingUpgrade === undefined) {
      // A handshake waiting behind earlier requests: what follows it is not HTTP, so it stays unread.
      this.socket.resume();
    }
  }
}
