import { createRequire } from "node:module";

/**
 * Node's own HTTP/1.1 parser (llhttp, in C++): the one node:http runs, with its strictness
 * against request smuggling (Content-Length with Transfer-Encoding, duplicate lengths, bad
 * chunk sizes, bare CR/LF). The router's data plane drives it directly on raw sockets, skipping
 * node:http's stream objects, which cost more than the proxying itself.
 *
 * It is reached through `_http_common`, the module node:http itself imports it from: stable
 * since Node 12, but not documented. If a Node release removes it, this file is the only place
 * to change (llhttp's WebAssembly build, which undici bundles, has the same callbacks).
 */
interface NativeParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | ParseError;
  finish(): undefined | ParseError;
  close(): void;
  free(): void;
  remove(): void;
  [slot: number]: unknown;
}

interface NativeParserClass {
  new (): NativeParser;
  REQUEST: number;
  RESPONSE: number;
  kOnMessageBegin: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
  kLenientNone: number;
}

/** What `execute` returns for bytes that are not HTTP: llhttp's code (`HPE_…`) and reason. */
export interface ParseError extends Error {
  code: string;
  reason?: string;
  bytesParsed?: number;
}

const httpCommon = createRequire(import.meta.url)("_http_common") as {
  HTTPParser: NativeParserClass;
  methods: string[];
};
const { HTTPParser, methods } = httpCommon;

/** Node's default limit for the request line plus headers (`--max-http-header-size`). */
export const maxHeaderBytes = 16 * 1024;

/** A message head as llhttp reports it. */
export interface ParsedHead {
  versionMinor: number;
  /** Flat `[name, value, name, value, …]`, names as sent, values as latin1 strings. */
  rawHeaders: string[];
  /** Requests only. */
  method: string;
  url: string;
  /** Responses only. */
  statusCode: number;
  statusMessage: string;
  /** The request asks to switch protocols (`Connection: upgrade` plus `Upgrade`, no body). */
  upgrade: boolean;
  /** llhttp's reading of HTTP/1.0 vs 1.1 defaults and `Connection: close / keep-alive`. */
  keepAlive: boolean;
}

/**
 * What `onHead` says about the body that follows: `true`, none whatever the headers say (the
 * answer to a HEAD request); `false`, llhttp parses it (`onBody`); `bodyReadByCaller`, llhttp
 * stops after the head (`execute` returns fewer bytes than given) and the caller takes the
 * body's bytes itself, then hands what follows it back to `execute`.
 */
export type BodyVerdict = boolean | typeof bodyReadByCaller;

/**
 * llhttp's "upgrade" answer to on_headers_complete (2): it ends the message at its head and
 * pauses. For a body of known length that is cheaper than `onBody`, which copies every chunk
 * into a fresh ArrayBuffer (~0.9 µs a response). Until the next message begins, llhttp still
 * reads as after an upgrade, so bytes it refuses then come back as fewer bytes consumed rather
 * than as a `ParseError`: the caller treats both alike.
 */
export const bodyReadByCaller = 2;

/** The part of `chunk`, from `offset`, that belongs to a sized body with `left` bytes to come. */
export function sizedBodyPart(chunk: Buffer, offset: number, left: number): Buffer {
  const length = Math.min(left, chunk.length - offset);
  return offset === 0 && length === chunk.length ? chunk : chunk.subarray(offset, offset + length);
}

/** What a message's reader does with the parts of each message, in order. */
export interface MessageHandlers {
  /** The head is complete: see {@link BodyVerdict} for what the return value means. */
  onHead(head: ParsedHead): BodyVerdict;
  onBody(chunk: Buffer): void;
  /** The message is complete; `trailers` are the fields after a chunked body (usually none). */
  onComplete(trailers: string[]): void;
  /** A new message starts (its first byte arrived). */
  onBegin?(): void;
}

const resource = {};

/**
 * One llhttp parser for one connection: requests (the client side) or responses (a replica
 * connection). Messages follow each other on the same parser (keep-alive, pipelining).
 */
export class HttpParser {
  private readonly native: NativeParser;
  private partialHeaders: string[] = [];
  private partialUrl = "";

  constructor(kind: "request" | "response", handlers: MessageHandlers) {
    const native = new HTTPParser();
    native.initialize(
      kind === "request" ? HTTPParser.REQUEST : HTTPParser.RESPONSE,
      resource,
      maxHeaderBytes,
      HTTPParser.kLenientNone,
    );
    // More than 32 headers arrive in batches before the head completes.
    native[HTTPParser.kOnHeaders] = (headers: string[], url: string) => {
      for (const item of headers) {
        this.partialHeaders.push(item);
      }
      this.partialUrl += url;
    };
    native[HTTPParser.kOnHeadersComplete] = (
      _versionMajor: number,
      versionMinor: number,
      headers: string[] | undefined,
      method: number | undefined,
      url: string | undefined,
      statusCode: number | undefined,
      statusMessage: string | undefined,
      upgrade: boolean,
      keepAlive: boolean,
    ): number => {
      let rawHeaders = headers;
      if (rawHeaders === undefined) {
        rawHeaders = this.partialHeaders;
        this.partialHeaders = [];
      }
      let target = url;
      if (target === undefined || target === "") {
        target = this.partialUrl;
        this.partialUrl = "";
      }
      const verdict = handlers.onHead({
        versionMinor,
        rawHeaders,
        method: method === undefined ? "" : (methods[method] ?? ""),
        url: target,
        statusCode: statusCode ?? 0,
        statusMessage: statusMessage ?? "",
        upgrade,
        keepAlive,
      });
      return verdict === bodyReadByCaller ? bodyReadByCaller : verdict ? 1 : 0;
    };
    native[HTTPParser.kOnBody] = (chunk: Buffer) => handlers.onBody(chunk);
    native[HTTPParser.kOnMessageComplete] = () => {
      // Fields flushed after the head (kOnHeaders) are the chunked body's trailers.
      const trailers = this.partialHeaders;
      this.partialHeaders = [];
      this.partialUrl = "";
      handlers.onComplete(trailers);
    };
    if (handlers.onBegin !== undefined) {
      native[HTTPParser.kOnMessageBegin] = handlers.onBegin;
    }
    this.native = native;
  }

  /**
   * Parses bytes; callbacks run synchronously. Returns the count of bytes consumed (fewer than
   * given only when a message switched protocols or its body is the caller's to read, see
   * {@link bodyReadByCaller}), or the parse error.
   */
  execute(data: Buffer): number | ParseError {
    return this.native.execute(data);
  }

  /** The peer closed: ends a body delimited by the connection's close. */
  finish(): ParseError | undefined {
    return this.native.finish();
  }

  close(): void {
    this.native.close();
  }
}

/** Narrows what `execute` returned. */
export function isParseError(result: number | ParseError | undefined): result is ParseError {
  return typeof result === "object";
}
