import { connect, type Socket } from "node:net";
import {
  type BodyVerdict,
  bodyReadByCaller,
  HttpParser,
  isParseError,
  type ParsedHead,
  type ParseError,
  sizedBodyPart,
} from "./http-parser.js";
import { type ResponseHeadFacts, readResponseHead } from "./response-head.js";

/** The exchange that owns the response currently expected on a replica connection. */
export interface ResponseReader {
  /** The whole request went out: only then may the connection carry another one. */
  readonly requestDone: boolean;
  /** The final (non-1xx) response head; return true when it has no body (a HEAD request's). */
  onResponseHead(head: ParsedHead, facts: ResponseHeadFacts): boolean;
  /** `chunk` is a view of a buffer the next read overwrites: copy what is kept. */
  onResponseBody(chunk: Buffer): void;
  /** One read from the replica has been parsed and relayed. */
  afterRead(): void;
  /** The response is complete; the connection has already gone back to its pool or closed. */
  onResponseComplete(trailers: string[]): void;
  /** The connection failed before the response was complete. */
  onConnectionError(error: NodeJS.ErrnoException): void;
  onUpstreamConnect(): void;
  onUpstreamDrain(): void;
  /** No response head arrived by `responseDeadline`. */
  onResponseTimeout(): void;
}

/** Where an idle connection goes when its response is done, and who hears that it closed. */
export interface ConnectionOwner {
  giveBack(connection: UpstreamConnection, reusable: boolean): void;
  closed(connection: UpstreamConnection): void;
}

/**
 * Every replica connection reads into this one buffer (net's `onread`): no allocation and no
 * stream machinery per read. Reads are parsed synchronously, and whoever keeps body bytes past
 * `onResponseBody` copies them (`ResponseReader.onResponseBody`).
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

/** How long an idle connection is kept when the replica does not say (`Keep-Alive: timeout=N`). */
export const defaultIdleTimeoutMs = 4_000;
/** Node's http server closes idle connections after 5 s: stop using them a second earlier. */
const idleTimeoutMarginMs = 1_000;

/**
 * One keep-alive HTTP/1.1 connection to a replica, carrying one request at a time. The
 * response is parsed by llhttp and handed to the exchange that sent the request.
 */
export class UpstreamConnection {
  readonly socket: Socket;
  /** Set while a request is on this connection. */
  reader: ResponseReader | undefined;
  connected = false;
  /** It carried a request before: a failure before any response may be the replica closing it. */
  reused = false;
  /** When it went back to the pool, and how long it may stay there. */
  idleSince = 0;
  idleTimeoutMs = defaultIdleTimeoutMs;
  /** Epoch ms by which the response head must have arrived (0: none expected). */
  responseDeadline = 0;
  private readonly parser: HttpParser;
  private readonly owner: ConnectionOwner;
  private keepAlive = true;
  private interim = false;
  /** Bytes still to come of a sized body the connection relays itself (see `onHead`). */
  private bodyLeft = 0;

  constructor(host: string, port: number, owner: ConnectionOwner) {
    this.owner = owner;
    this.parser = new HttpParser("response", {
      onHead: (head) => this.onHead(head),
      onBody: (chunk) => this.reader?.onResponseBody(chunk),
      onComplete: (trailers) => this.onComplete(trailers),
    });
    const socket = connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: readBuffer,
        callback: (length: number) => this.onData(readBuffer.subarray(0, length)),
      },
    });
    this.socket = socket;
    socket.on("connect", () => {
      this.connected = true;
      this.reader?.onUpstreamConnect();
    });
    socket.on("drain", () => this.reader?.onUpstreamDrain());
    socket.on("end", () => this.onEnd());
    socket.on("error", (error: NodeJS.ErrnoException) => this.fail(error));
    socket.on("close", () => {
      this.fail(closedError("UND_ERR_CLOSED"));
      this.parser.close();
      this.owner.closed(this);
    });
  }

  /** The router's periodic check: a replica that has not answered in time gets a 504. */
  checkDeadline(now: number): void {
    const reader = this.reader;
    if (reader !== undefined && this.responseDeadline !== 0 && now >= this.responseDeadline) {
      this.responseDeadline = 0;
      this.reader = undefined;
      reader.onResponseTimeout();
    }
  }

  /** Ends the connection at once (a response that will not be read to its end, shutdown). */
  destroy(): void {
    this.reader = undefined;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): boolean {
    // One write to the client per read from the replica: head and body leave together.
    const reader = this.reader;
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        offset = this.relayBody(chunk, offset);
        continue;
      }
      const rest = offset === 0 ? chunk : chunk.subarray(offset);
      const result = this.parser.execute(rest);
      if (isParseError(result) || (result < rest.length && this.bodyLeft === 0)) {
        this.onParseError(isParseError(result) ? result : undefined);
        break;
      }
      offset += result;
    }
    reader?.afterRead();
    // Reading stays paused if a slow client asked for it while this read was relayed.
    return !this.socket.isPaused();
  }

  /** Passes on the sized body's bytes in `chunk` from `offset`; returns where they end. */
  private relayBody(chunk: Buffer, offset: number): number {
    const part = sizedBodyPart(chunk, offset, this.bodyLeft);
    this.bodyLeft -= part.length;
    this.reader?.onResponseBody(part);
    if (this.bodyLeft === 0) {
      this.complete([]);
    }
    return offset + part.length;
  }

  private onParseError(error: ParseError | undefined): void {
    if (this.socket.destroyed) {
      // Bytes after a 101 the connection already refused.
      return;
    }
    // Without an error, llhttp stopped at bytes that do not begin a response (see bodyReadByCaller).
    const reason = error === undefined ? "bytes after the response" : (error.reason ?? error.code);
    this.fail(
      Object.assign(new Error(`invalid HTTP response: ${reason}`), {
        code: error?.code ?? "HPE_INVALID_CONSTANT",
      }),
    );
    this.socket.destroy();
  }

  private onHead(head: ParsedHead): BodyVerdict {
    if (head.statusCode < 200) {
      if (head.statusCode === 101) {
        // A protocol switch nobody asked for: the rest of the bytes are not HTTP.
        this.fail(
          Object.assign(new Error("unexpected 101 Switching Protocols"), { code: "HPE_UNEXPECTED_101" }),
        );
        this.socket.destroy();
        return true;
      }
      // 1xx interim answers (103 Early Hints…) are not relayed; the final one follows.
      this.interim = true;
      return false;
    }
    this.interim = false;
    this.responseDeadline = 0;
    this.keepAlive = head.keepAlive;
    const facts = readResponseHead(head.rawHeaders);
    this.idleTimeoutMs =
      facts.keepAliveTimeoutMs === undefined
        ? defaultIdleTimeoutMs
        : Math.max(0, facts.keepAliveTimeoutMs - idleTimeoutMarginMs);
    const noBody = this.reader?.onResponseHead(head, facts) ?? true;
    const length = facts.contentLength;
    if (!noBody && length !== undefined && length > 0 && Number.isSafeInteger(length)) {
      // A sized body is relayed straight from the read buffer, not through llhttp's onBody.
      this.bodyLeft = length;
      return bodyReadByCaller;
    }
    return noBody;
  }

  private onComplete(trailers: string[]): void {
    if (this.interim) {
      this.interim = false;
      return;
    }
    if (this.bodyLeft > 0) {
      // llhttp ends a message at its head when the body is read by the connection (relayBody).
      return;
    }
    this.complete(trailers);
  }

  private complete(trailers: string[]): void {
    const reader = this.reader;
    this.reader = undefined;
    this.reused = true;
    // It may have been paused for a slow client; idle, it must still see the replica close it.
    this.socket.resume();
    this.owner.giveBack(this, this.keepAlive && !this.socket.destroyed && (reader?.requestDone ?? true));
    reader?.onResponseComplete(trailers);
  }

  private onEnd(): void {
    // A body delimited by the connection's end is complete now.
    this.parser.finish();
    // Still waiting for (the rest of) a response: it was cut short.
    this.fail(closedError("UND_ERR_SOCKET"));
    this.socket.destroy();
  }

  private fail(error: NodeJS.ErrnoException): void {
    this.bodyLeft = 0;
    const reader = this.reader;
    if (reader !== undefined) {
      this.reader = undefined;
      reader.onConnectionError(error);
    }
  }
}

function closedError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error("the connection closed before the response"), { code });
}
