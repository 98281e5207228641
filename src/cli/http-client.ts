import type { z } from "zod";
import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";
import { ApiError, errorCode, UnreachableError, unreachableReason } from "./http-errors.js";
import { toProblem } from "./problem.js";

/** How long a request may take before the CLI gives up on the server. */
export const DEFAULT_TIMEOUT_MS = 30_000;

/** Options of {@link ApiClient}. */
export interface ApiClientOptions {
  /** The server's base URL, e.g. `http://127.0.0.1:7420` (no trailing slash). */
  baseUrl: string;
  /** Sent as `Authorization: Bearer <token>` on requests that need it. */
  token?: string | undefined;
  timeoutMs?: number;
  /** Receives one line per request and response for `--debug`; never sees tokens or bodies. */
  trace?: (line: string) => void;
  /** Wraps each request, e.g. to show a spinner when it is slow. */
  track?: <T>(label: string, work: Promise<T>) => Promise<T>;
  userAgent?: string;
}

/** One request: query values that are undefined are left out. */
export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** A raw body sent as it is produced (e.g. an upload), instead of `body` as JSON. */
  stream?: { body: AsyncIterable<Uint8Array>; contentType: string };
  /** Send the token (default true). */
  auth?: boolean;
  timeoutMs?: number;
  /** No spinner for this request: the caller shows its own progress (e.g. `slipway deploy`). */
  quiet?: boolean;
}

/** A successful response, its body parsed as JSON (undefined for 204). */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/**
 * The CLI's only door to Slipway: a small JSON client for the HTTP API over Node's fetch,
 * turning every failure into {@link ApiError} or {@link UnreachableError}.
 */
export class ApiClient {
  readonly baseUrl: string;
  readonly #options: ApiClientOptions;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.#options = options;
  }

  /** Whether requests carry a token. */
  get hasToken(): boolean {
    return this.#options.token !== undefined;
  }

  /** GET a path and check the body against `schema`. */
  get<S extends z.ZodType>(path: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
    return this.send("GET", path, schema, options);
  }

  /** Sends a request and checks the answer's body against `schema`. */
  async send<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    options: RequestOptions = {},
  ): Promise<z.infer<S>> {
    const response = await this.request(method, path, options);
    return parseBody(`${method} ${path}`, schema, response.body);
  }

  /** Sends one request; resolves for 2xx, rejects with {@link ApiError} or {@link UnreachableError}. */
  async request(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse> {
    const work = this.#send(method, path, options);
    const track = options.quiet ? undefined : this.#options.track;
    return track ? track(`${method} ${path}`, work) : work;
  }

  /**
   * Opens a long-lived response (server-sent events). No timeout once headers arrive; `signal`
   * ends it. Rejects like {@link request} when the server refuses.
   */
  async openStream(
    path: string,
    options: { query?: RequestOptions["query"]; lastEventId?: string; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const url = this.#url(path, options.query);
    const headers = this.#headers(true);
    headers.set("accept", "text/event-stream");
    if (options.lastEventId !== undefined) {
      headers.set("last-event-id", options.lastEventId);
    }
    const connectTimeout = AbortSignal.timeout(this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const controller = new AbortController();
    const onConnectTimeout = () => controller.abort(connectTimeout.reason);
    connectTimeout.addEventListener("abort", onConnectTimeout, { once: true });
    options.signal?.addEventListener("abort", () => controller.abort(options.signal?.reason), { once: true });
    try {
      const response = await this.#fetch("GET", url, { headers, signal: controller.signal });
      if (!response.ok) {
        throw await this.#apiError(`GET ${path}`, response);
      }
      return response;
    } finally {
      connectTimeout.removeEventListener("abort", onConnectTimeout);
    }
  }

  async #send(method: string, path: string, options: RequestOptions): Promise<ApiResponse> {
    const url = this.#url(path, options.query);
    const headers = this.#headers(options.auth ?? true);
    let body: string | ReadableStream<Uint8Array> | undefined;
    if (options.stream !== undefined) {
      headers.set("content-type", options.stream.contentType);
      body = ReadableStream.from(options.stream.body);
    } else if (options.body !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(options.body);
    }
    const signal = AbortSignal.timeout(options.timeoutMs ?? this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const response = await this.#fetch(method, url, {
      headers,
      signal,
      // A streamed body must say so: fetch then sends it chunk by chunk (chunked encoding).
      ...(body === undefined
        ? {}
        : { body, ...(typeof body === "string" ? {} : { duplex: "half" as const }) }),
    });
    if (!response.ok) {
      throw await this.#apiError(`${method} ${path}`, response);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The timeout covers the body too: a server that stalls mid-answer is as unreachable as one that never answers.
      throw new UnreachableError(this.baseUrl, unreachableReason(error), error);
    }
    return { status: response.status, body: text === "" ? undefined : parseJson(`${method} ${path}`, text) };
  }

  async #fetch(method: string, url: URL, init: Omit<RequestInit, "method">): Promise<Response> {
    const started = performance.now();
    this.#options.trace?.(`> ${method} ${url.href}`);
    try {
      const response = await fetch(url, { ...init, method });
      const elapsed = Math.round(performance.now() - started);
      const requestId = response.headers.get("x-request-id") ?? response.headers.get("request-id");
      this.#options.trace?.(
        `< ${response.status} ${response.statusText} in ${elapsed} ms${requestId ? ` (request id ${requestId})` : ""}`,
      );
      return response;
    } catch (error) {
      this.#options.trace?.(`< no response: ${describeFetchFailure(error)}`);
      throw new UnreachableError(this.baseUrl, unreachableReason(error), error);
    }
  }

  #url(path: string, query: RequestOptions["query"]): URL {
    const url = new URL(`${this.baseUrl}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) {
        url.searchParams.set(key, String(value));
      }
    }
    return url;
  }

  #headers(auth: boolean): Headers {
    const headers = new Headers({ accept: "application/json" });
    if (this.#options.userAgent) {
      headers.set("user-agent", this.#options.userAgent);
    }
    if (auth && this.#options.token !== undefined) {
      headers.set("authorization", `Bearer ${this.#options.token}`);
    }
    return headers;
  }

  async #apiError(request: string, response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => "");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return new ApiError(request, toProblem(response.status, response.statusText, body));
  }
}

/** Checks a response body against the shape the CLI expects; a mismatch is a version skew or a bug. */
export function parseBody<S extends z.ZodType>(request: string, schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
  throw new CliError(
    `unexpected answer from the server to ${request}${where}: ${issue?.message ?? "invalid"}`,
    {
      hint: "the CLI and the server may be different versions; compare them with `slipway version`",
      exitCode: ExitCode.internal,
    },
  );
}

function parseJson(request: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(`the server's answer to ${request} is not JSON`, {
      hint: "is the URL pointing at a Slipway server? check it with `slipway version`",
      exitCode: ExitCode.internal,
      cause: error,
    });
  }
}

function describeFetchFailure(error: unknown): string {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  return code ? `${message} (${code})` : message;
}
