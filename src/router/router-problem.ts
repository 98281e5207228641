import type { Duplex } from "node:stream";

/** Why the router answered itself instead of the service (the `reason` metrics label). */
export type RouterErrorReason =
  | "bad_request"
  | "headers_too_large"
  | "no_route"
  | "no_ready_replica"
  | "connection_refused"
  | "connection_failed"
  | "upstream_timeout"
  | "upstream_reset";

/** An error the router answers with: an RFC 9457 problem document plus the reason header. */
export interface RouterProblem {
  status: number;
  reason: RouterErrorReason;
  service: string;
  environment: string;
  detail: string;
}

const titles: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  408: "Request Timeout",
  431: "Request Header Fields Too Large",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

const maxEchoedLength = 200;

/** 404 naming only what the client sent: no list of the routes that do exist. */
export function noRouteProblem(host: string, path: string): RouterProblem {
  return {
    status: 404,
    reason: "no_route",
    service: "",
    environment: "",
    detail: `no route for host ${clip(host)} path ${clip(path)}`,
  };
}

export function noReadyReplicaProblem(route: {
  service: string;
  environment: string;
  scaledToZero?: boolean;
}): RouterProblem {
  const { service, environment } = route;
  return {
    status: 503,
    reason: "no_ready_replica",
    service,
    environment,
    detail: route.scaledToZero
      ? `service ${service} in environment ${environment} is scaled to 0 replicas; \`slipway scale ${service} N --env ${environment}\` brings it back`
      : `service ${service} in environment ${environment} has no ready replica`,
  };
}

/** What went wrong talking to one replica, as a 502 or 504. */
export function upstreamProblem(
  failure: "connection_refused" | "connection_failed" | "upstream_timeout",
  route: { service: string; environment: string },
  upstreamId: string,
  explanation: string,
): RouterProblem {
  const detail =
    failure === "upstream_timeout"
      ? `upstream ${upstreamId} of ${route.service} did not answer within ${explanation}`
      : `upstream ${upstreamId} of ${route.service} failed: ${explanation}`;
  return {
    status: failure === "upstream_timeout" ? 504 : 502,
    reason: failure,
    service: route.service,
    environment: route.environment,
    detail,
  };
}

export function badRequestProblem(detail: string, status = 400): RouterProblem {
  return {
    status,
    reason: status === 431 ? "headers_too_large" : "bad_request",
    service: "",
    environment: "",
    detail,
  };
}

/** The JSON body of a problem: short, no stack, the service and reason named. */
export function problemBody(problem: RouterProblem, requestId?: string): string {
  return JSON.stringify({
    type: `https://slipway.dev/problems/router-${problem.reason.replaceAll("_", "-")}`,
    title: titles[problem.status] ?? "Error",
    status: problem.status,
    detail: problem.detail,
    reason: problem.reason,
    ...(problem.service === "" ? {} : { service: problem.service, environment: problem.environment }),
    ...(requestId === undefined ? {} : { requestId }),
  });
}

/**
 * The whole HTTP response for a problem, head and body. `close` adds `Connection: close` for
 * answers after which the router ends the connection (requests it could not parse, handshakes).
 */
export function problemResponse(
  problem: RouterProblem,
  requestId: string | undefined,
  close: boolean,
): string {
  const body = problemBody(problem, requestId);
  const head = [
    `HTTP/1.1 ${problem.status} ${titles[problem.status] ?? "Error"}`,
    "content-type: application/problem+json",
    `content-length: ${Buffer.byteLength(body)}`,
    "cache-control: no-store",
    `x-slipway-router-error: ${problem.reason}`,
    ...(requestId === undefined ? [] : [`x-request-id: ${requestId}`]),
    ...(close ? ["connection: close"] : []),
  ];
  return `${head.join("\r\n")}\r\n\r\n${body}`;
}

/**
 * Writes the problem straight onto a socket (a WebSocket handshake, a request the parser
 * rejected), then closes it.
 */
export function writeProblemToSocket(socket: Duplex, problem: RouterProblem, requestId?: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(problemResponse(problem, requestId, true));
}

function clip(text: string): string {
  return text.length > maxEchoedLength ? `${text.slice(0, maxEchoedLength)}…` : text;
}
