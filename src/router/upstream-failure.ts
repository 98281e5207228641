import { maxHeaderBytes } from "./http-parser.js";

/** A failed upstream attempt, classified for the answer and the retry decision. */
export interface UpstreamFailure {
  kind: "connection_refused" | "connection_failed" | "upstream_timeout" | "aborted";
  /** Human words for the problem detail: "connection refused", "connection reset"… */
  explanation: string;
  /** True when the request certainly never reached the replica (the connection never opened). */
  beforeConnect: boolean;
  /** True when the connection broke before any response: safe to retry if nothing was sent. */
  beforeResponse: boolean;
}

const connectPhase: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  UND_ERR_CONNECT_TIMEOUT: "connect timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EADDRNOTAVAIL: "address not available",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host lookup failed",
};

const brokenConnection: Record<string, string> = {
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  UND_ERR_SOCKET: "connection closed before the response",
  UND_ERR_CLOSED: "connection closed before the response",
};

/** Sorts an undici/socket error into what the router tells the client and whether to retry. */
export function classifyUpstreamError(error: unknown, upstreamTimeoutMs: number): UpstreamFailure {
  const code = errorCode(error);
  if (code === "UND_ERR_ABORTED" || code === "UND_ERR_ABORT" || code === "ABORT_ERR") {
    return { kind: "aborted", explanation: "aborted", beforeConnect: false, beforeResponse: false };
  }
  if (code === "UND_ERR_HEADERS_TIMEOUT") {
    return {
      kind: "upstream_timeout",
      explanation: `${upstreamTimeoutMs} ms`,
      beforeConnect: false,
      beforeResponse: false,
    };
  }
  const connectProblem = connectPhase[code];
  if (connectProblem !== undefined) {
    return {
      kind: code === "ECONNREFUSED" ? "connection_refused" : "connection_failed",
      explanation: connectProblem,
      beforeConnect: true,
      beforeResponse: true,
    };
  }
  const broken = brokenConnection[code];
  return {
    kind: "connection_failed",
    explanation: broken ?? invalidResponse(code),
    beforeConnect: false,
    beforeResponse: broken !== undefined,
  };
}

function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return "";
}

/** What llhttp found wrong with a replica's answer, in words a service owner can act on. */
function invalidResponse(code: string): string {
  if (code === "HPE_HEADER_OVERFLOW") {
    return `invalid HTTP response: its headers exceed ${maxHeaderBytes / 1024} KiB`;
  }
  return code.startsWith("HPE_") ? `invalid HTTP response (${code})` : "upstream error";
}
