import type { IncomingMessage, ServerResponse } from "node:http";
import type { Dispatcher } from "undici";
import type { SelectionPolicy } from "./balancer.js";
import { ClientBody, hasRequestBody } from "./client-body.js";
import { downstreamResponseHeaders, upstreamRequestHeaders } from "./forwarded-headers.js";
import type { RequestTarget } from "./request-target.js";
import { type RouterProblem, sendProblem, upstreamProblem } from "./router-problem.js";
import type { ServiceRoute } from "./service-route.js";
import type { RouterLogger } from "./types.js";
import { classifyUpstreamError, type UpstreamFailure } from "./upstream-failure.js";
import type { UpstreamTarget } from "./upstream-target.js";

/** What the proxy needs from the router around it. */
export interface ProxySettings {
  policy: SelectionPolicy;
  upstreamTimeoutMs: number;
  /** How long a replica that refused a connection is passed over. */
  refusedCooldownMs: number;
  logger: RouterLogger | undefined;
  /** Called for every error the router itself answers or causes (the metrics hook). */
  onRouterError(route: ServiceRoute, problem: Pick<RouterProblem, "reason">): void;
}

/** One client request on its way through the router, across at most two upstream attempts. */
export interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  target: RequestTarget;
  route: ServiceRoute;
  requestId: string;
  /** The release that answered, for the metrics label; set once an upstream is chosen. */
  release: string;
}

// RFC 9110 §9.2.2: repeating these has the same effect as sending them once.
const idempotentMethods = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

/** A request being proxied, as its caller sees it. */
export interface ProxiedRequest {
  /** The client went away before the response was complete: stop the upstream work. */
  clientGone(): void;
}

/**
 * Streams a request to one of the route's replicas and the answer back, through the replica's
 * keep-alive pool. A connection that fails before anything was sent is retried once on another
 * replica; once the body started streaming or the replica answered, it never is.
 */
export function proxyRequest(
  exchange: Exchange,
  first: UpstreamTarget,
  settings: ProxySettings,
): ProxiedRequest {
  const plan: AttemptPlan = {
    exchange,
    settings,
    headers: upstreamRequestHeaders(exchange.request, exchange.target, exchange.requestId),
    withBody: hasRequestBody(exchange.request),
    current: undefined,
  };
  startAttempt(plan, first, false);
  return { clientGone: () => plan.current?.abort(clientClosed()) };
}

/** What every attempt of one exchange shares. */
interface AttemptPlan {
  exchange: Exchange;
  settings: ProxySettings;
  headers: string[];
  withBody: boolean;
  current: Attempt | undefined;
}

function startAttempt(plan: AttemptPlan, upstream: UpstreamTarget, retried: boolean): void {
  const { exchange } = plan;
  exchange.release = upstream.release;
  const attempt = new Attempt(plan, upstream, retried);
  plan.current = attempt;
  try {
    upstream.dispatcher().dispatch(
      {
        path: exchange.target.pathAndQuery,
        method: exchange.request.method ?? "GET",
        headers: plan.headers,
        body: attempt.body,
      },
      attempt,
    );
  } catch (error) {
    // undici validates synchronously (odd header values, a path it refuses): answer, don't crash.
    attempt.onResponseError(undefined, error);
  }
}

/**
 * One try on one replica, as undici's dispatch handler. It holds the replica's in-flight slot
 * from dispatch to the response's last byte (or failure), and runs the router's own response
 * timeout: undici's header timer only fires to the nearest second or so.
 */
class Attempt implements Dispatcher.DispatchHandler {
  readonly body: ClientBody | null;
  private readonly plan: AttemptPlan;
  private readonly upstream: UpstreamTarget;
  private readonly retried: boolean;
  private readonly release: () => void;
  private readonly stream: ResponseStream;
  private readonly timer: NodeJS.Timeout;
  private controller: Dispatcher.DispatchController | undefined;
  private pendingAbort: Error | undefined;

  constructor(plan: AttemptPlan, upstream: UpstreamTarget, retried: boolean) {
    this.plan = plan;
    this.upstream = upstream;
    this.retried = retried;
    this.release = upstream.acquire();
    this.body = plan.withBody ? new ClientBody(plan.exchange.request) : null;
    this.stream = new ResponseStream(plan.exchange, this.release);
    this.timer = setTimeout(() => this.abort(upstreamTimeout()), plan.settings.upstreamTimeoutMs);
  }

  abort(reason: Error): void {
    if (this.controller === undefined) {
      this.pendingAbort = reason;
    } else {
      this.controller.abort(reason);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort !== undefined) {
      controller.abort(this.pendingAbort);
    }
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    if (statusCode >= 200) {
      clearTimeout(this.timer);
    }
    this.stream.start(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.stream.data(controller, chunk);
  }

  onResponseEnd(): void {
    this.stream.end();
  }

  onResponseError(_controller: unknown, error: unknown): void {
    clearTimeout(this.timer);
    this.release();
    const { exchange, settings } = this.plan;
    if (exchange.response.destroyed) {
      return;
    }
    if (this.stream.started) {
      // Half a response cannot be turned into an error page: cut the client off so it sees a
      // broken response rather than a silently truncated one.
      settings.onRouterError(exchange.route, { reason: "upstream_reset" });
      exchange.response.destroy();
      return;
    }
    const failure = classifyUpstreamError(error, settings.upstreamTimeoutMs);
    if (failure.beforeConnect) {
      this.upstream.eject(settings.refusedCooldownMs);
    }
    const next = this.retried
      ? undefined
      : retryTarget(exchange, this.upstream, failure, this.body, settings.policy);
    if (next !== undefined) {
      startAttempt(this.plan, next, true);
      return;
    }
    fail(exchange, this.upstream, failure, settings);
  }
}

function clientClosed(): Error {
  return Object.assign(new Error("the client closed the connection"), { code: "UND_ERR_ABORTED" });
}

function upstreamTimeout(): Error {
  return Object.assign(new Error("the upstream did not answer in time"), { code: "UND_ERR_HEADERS_TIMEOUT" });
}

/** Whether and where a failed attempt may go again. */
function retryTarget(
  exchange: Exchange,
  failed: UpstreamTarget,
  failure: UpstreamFailure,
  body: ClientBody | null,
  policy: SelectionPolicy,
): UpstreamTarget | undefined {
  const nothingSent = failure.beforeConnect || idempotentMethods.has(exchange.request.method ?? "");
  if (!failure.beforeResponse || !nothingSent || body?.started === true) {
    return undefined;
  }
  const other = policy(exchange.route, failed);
  if (other !== undefined) {
    return other;
  }
  // Alone in its route, a replica is only worth a second try when a kept-alive connection broke
  // (the replica closed it as we reused it); a refused connection will be refused again.
  return failure.beforeConnect || failed.isRetired ? undefined : failed;
}

function fail(
  exchange: Exchange,
  upstream: UpstreamTarget,
  failure: UpstreamFailure,
  settings: ProxySettings,
): void {
  if (failure.kind === "aborted" || exchange.response.headersSent) {
    exchange.response.destroy();
    return;
  }
  const problem = upstreamProblem(failure.kind, exchange.route, upstream.id, failure.explanation);
  settings.onRouterError(exchange.route, problem);
  settings.logger?.warn(
    {
      service: exchange.route.service,
      upstream: upstream.id,
      requestId: exchange.requestId,
      reason: problem.reason,
    },
    problem.detail,
  );
  sendProblem(exchange.response, problem, exchange.requestId);
}

/** Copies one upstream response onto the client's response, with backpressure both ways. */
class ResponseStream {
  started = false;
  private readonly exchange: Exchange;
  private readonly release: () => void;
  private waitingForDrain = false;

  constructor(exchange: Exchange, release: () => void) {
    this.exchange = exchange;
    this.release = release;
  }

  start(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
    statusMessage?: string,
  ): void {
    if (statusCode < 200) {
      // 1xx interim responses (103 Early Hints…) are not relayed; the final one follows.
      return;
    }
    this.started = true;
    const { response, requestId } = this.exchange;
    if (response.destroyed) {
      controller.abort(new Error("client closed the connection"));
      return;
    }
    const outgoing = downstreamResponseHeaders(headers, requestId);
    if (statusMessage) {
      response.writeHead(statusCode, statusMessage, outgoing);
    } else {
      response.writeHead(statusCode, outgoing);
    }
    if (headers["content-length"] === undefined) {
      // A body of unknown length may be a stream (server-sent events) whose first byte comes
      // much later: send the head now. Sized bodies leave it to go out with the first chunk.
      response.flushHeaders();
    }
  }

  data(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    const { response } = this.exchange;
    if (!response.write(chunk) && !this.waitingForDrain) {
      this.waitingForDrain = true;
      controller.pause();
      response.once("drain", () => {
        this.waitingForDrain = false;
        controller.resume();
      });
    }
  }

  end(): void {
    this.release();
    this.exchange.response.end();
  }
}
