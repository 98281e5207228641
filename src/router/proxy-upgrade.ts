import { request as httpRequest, type IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { upstreamRequestHeaders } from "./forwarded-headers.js";
import type { RequestHead } from "./request-head.js";
import type { RequestTarget } from "./request-target.js";
import { type RouterProblem, upstreamProblem, writeProblemToSocket } from "./router-problem.js";
import type { ServiceRoute } from "./service-route.js";
import type { RoutePolicy } from "./traffic-split.js";
import { classifyUpstreamError } from "./upstream-failure.js";
import type { UpstreamTarget } from "./upstream-target.js";

/** What the tunnel needs from the router around it. */
export interface UpgradeSettings {
  policy: RoutePolicy;
  upstreamTimeoutMs: number;
  onRouterError(route: ServiceRoute, problem: Pick<RouterProblem, "reason">): void;
}

/** A WebSocket handshake on its way through the router. */
export interface UpgradeExchange {
  head: RequestHead;
  socket: Socket;
  /** Bytes the client sent after its handshake, to hand to the upstream once connected. */
  rest: Buffer;
  target: RequestTarget;
  route: ServiceRoute;
  requestId: string;
  /** Called when the upstream answered the handshake (or failed to). */
  answered(): void;
  /** Called once, when the tunnel (or the failed handshake) is over. */
  done(release: string, status: number): void;
}

/**
 * Tunnels an HTTP/1.1 WebSocket upgrade: a fresh connection to one replica carries the
 * handshake, and after its 101 the two sockets are piped together until either side closes.
 * The tunnel counts as one outstanding request on the replica for as long as it is open, so a
 * drain waits for it. A replica that refuses the upgrade has its answer relayed as is.
 */
export function proxyUpgrade(
  exchange: UpgradeExchange,
  first: UpstreamTarget,
  settings: UpgradeSettings,
): void {
  const { head, socket, route, requestId } = exchange;
  const headers = upstreamRequestHeaders(head, exchange.target, requestId, { websocket: true });
  socket.on("error", () => socket.destroy());

  const attempt = (upstream: UpstreamTarget, retried: boolean): void => {
    const release = upstream.acquire();
    const finish = once((status: number) => {
      release();
      exchange.answered();
      exchange.done(upstream.release, status);
    });
    const outgoing = httpRequest({
      host: upstream.hostname,
      port: upstream.port,
      method: head.method,
      path: exchange.target.pathAndQuery,
      headers,
      agent: false,
    });
    const timer = setTimeout(() => outgoing.destroy(timeoutError()), settings.upstreamTimeoutMs);
    const clientGone = () => outgoing.destroy();
    socket.once("close", clientGone);
    let answered = false;
    const settle = () => {
      answered = true;
      clearTimeout(timer);
      socket.off("close", clientGone);
    };

    outgoing.once("upgrade", (answer, upstreamSocket, upstreamHead) => {
      settle();
      exchange.answered();
      socket.write(responseHead(answer));
      connectTunnel(socket, upstreamSocket, upstreamHead, exchange.rest, () => finish(101));
    });
    outgoing.once("response", (answer) => {
      settle();
      relayRefusal(answer, socket);
      finish(answer.statusCode ?? 502);
    });
    outgoing.on("error", (error) => {
      if (answered) {
        // The handshake is over; the tunnel's own sockets report their failures.
        return;
      }
      settle();
      if (socket.destroyed) {
        finish(499);
        return;
      }
      const failure = classifyUpstreamError(error, settings.upstreamTimeoutMs);
      const other = !retried && failure.beforeResponse ? settings.policy(route, upstream) : undefined;
      if (other !== undefined) {
        release();
        attempt(other, true);
        return;
      }
      const kind = failure.kind === "aborted" ? "connection_failed" : failure.kind;
      const problem = upstreamProblem(kind, route, upstream.id, failure.explanation);
      settings.onRouterError(route, problem);
      writeProblemToSocket(socket, problem, requestId);
      finish(problem.status);
    });
    outgoing.end();
  };
  attempt(first, false);
}

function connectTunnel(
  client: Duplex,
  upstream: Duplex,
  upstreamHead: Buffer,
  clientHead: Buffer,
  closed: () => void,
): void {
  let open = 2;
  const onClose = () => {
    // Either side ending ends both: a half-open WebSocket is of no use to anyone.
    client.destroy();
    upstream.destroy();
    open--;
    if (open === 0) {
      closed();
    }
  };
  upstream.on("error", () => upstream.destroy());
  client.once("close", onClose);
  upstream.once("close", onClose);
  if (upstreamHead.length > 0) {
    client.write(upstreamHead);
  }
  if (clientHead.length > 0) {
    upstream.write(clientHead);
  }
  upstream.pipe(client);
  client.pipe(upstream);
}

/** The upstream's 101 status line and headers, verbatim. */
function responseHead(answer: IncomingMessage): string {
  const lines = [`HTTP/1.1 ${answer.statusCode ?? 101} ${answer.statusMessage ?? "Switching Protocols"}`];
  for (let index = 0; index < answer.rawHeaders.length; index += 2) {
    lines.push(`${answer.rawHeaders[index]}: ${answer.rawHeaders[index + 1]}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n`;
}

/** An upstream that answered the handshake with a plain response (400, 401…): pass it on. */
function relayRefusal(answer: IncomingMessage, socket: Duplex): void {
  const lines = [`HTTP/1.1 ${answer.statusCode ?? 502} ${answer.statusMessage ?? ""}`];
  for (let index = 0; index < answer.rawHeaders.length; index += 2) {
    const name = answer.rawHeaders[index] ?? "";
    if (!/^(connection|keep-alive|transfer-encoding|upgrade)$/i.test(name)) {
      lines.push(`${name}: ${answer.rawHeaders[index + 1]}`);
    }
  }
  lines.push("connection: close");
  socket.write(`${lines.join("\r\n")}\r\n\r\n`);
  answer.pipe(socket);
  answer.on("error", () => socket.destroy());
}

function timeoutError(): Error {
  return Object.assign(new Error("upstream did not answer the handshake in time"), {
    code: "UND_ERR_HEADERS_TIMEOUT",
  });
}

function once<T>(callback: (value: T) => void): (value: T) => void {
  let called = false;
  return (value) => {
    if (!called) {
      called = true;
      callback(value);
    }
  };
}
