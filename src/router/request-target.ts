/** Where a request is headed, normalised for routing. */
export interface RequestTarget {
  /** Lower-case host without port or trailing dot: what routes match on. */
  host: string;
  /** The Host the client sent (with its port), for `X-Forwarded-Host`. */
  authority: string;
  /** The path without query string: what path prefixes match on. */
  path: string;
  /** Path plus query string, as sent upstream. */
  pathAndQuery: string;
}

/** Why a request cannot be routed at all (answered with 400). */
export interface BadTarget {
  problem: string;
}

const maxHostLength = 253;
// Letters, digits, hyphens, dots (and underscores, which real-world internal names use).
const hostName = /^[a-z0-9_]([a-z0-9_.-]*[a-z0-9_])?$/;
const ipv6Literal = /^\[[0-9a-f:.]+\]$/;
const absoluteForm = /^https?:\/\//i;

/**
 * Reads host and path from a request: the Host header (port stripped, case-folded), or the
 * authority of an absolute-form target (`GET http://h/p`), which RFC 9112 says wins over Host.
 */
export function readRequestTarget(request: {
  url: string;
  host: string | undefined;
  hostCount?: number;
}): RequestTarget | BadTarget {
  const rawUrl = request.url;
  if ((request.hostCount ?? 1) > 1) {
    return { problem: "the request has more than one Host header" };
  }
  let authority = request.host ?? "";
  let pathAndQuery = rawUrl;
  if (absoluteForm.test(rawUrl)) {
    const afterScheme = rawUrl.indexOf("//") + 2;
    const pathStart = rawUrl.indexOf("/", afterScheme);
    authority = rawUrl.slice(afterScheme, pathStart === -1 ? undefined : pathStart);
    pathAndQuery = pathStart === -1 ? "/" : rawUrl.slice(pathStart);
  }
  if (pathAndQuery[0] !== "/") {
    return { problem: "the request target must be a path starting with /" };
  }
  if (authority === "") {
    return { problem: "the request has no Host header" };
  }
  const host = knownHost(authority);
  if (host === undefined) {
    return { problem: "the Host header is not a valid host name" };
  }
  const queryStart = pathAndQuery.indexOf("?");
  const path = routingPath(queryStart === -1 ? pathAndQuery : pathAndQuery.slice(0, queryStart));
  if (path === undefined) {
    return { problem: "the path climbs above / with ..: resolve it before sending" };
  }
  return { host, authority, path, pathAndQuery };
}

/**
 * The path routes are matched on, as nginx matches locations: `.` and `..` segments resolved
 * (`%2e` counts as a dot) and repeated slashes merged, so `/api/../admin` is routed as `/admin`
 * and cannot slip past a path prefix into another service. The request still goes upstream as
 * sent. Undefined when `..` climbs above the root.
 */
export function routingPath(path: string): string | undefined {
  // The common case costs two scans: nothing to resolve.
  if (!path.includes("/.") && !path.includes("//") && !path.includes("%")) {
    return path;
  }
  const decoded = path.replace(/%2e/gi, ".");
  const segments: string[] = [];
  const parts = decoded.split("/");
  for (let index = 1; index < parts.length; index++) {
    const part = parts[index] as string;
    const last = index === parts.length - 1;
    if (part === "..") {
      if (segments.length === 0) {
        return undefined;
      }
      segments.pop();
      if (last) {
        segments.push("");
      }
    } else if (part === "." || (part === "" && !last)) {
      if (last) {
        segments.push("");
      }
    } else {
      segments.push(part);
    }
  }
  return `/${segments.join("/")}`;
}

// Clients send the same few Host values again and again: each is normalised once. Bounded, so
// a client making up names cannot grow it without end (it starts over when full).
const normalisedHosts = new Map<string, string>();
const normalisedHostsLimit = 1024;

function knownHost(authority: string): string | undefined {
  const known = normalisedHosts.get(authority);
  if (known !== undefined) {
    return known;
  }
  const host = normaliseHost(authority);
  if (host !== undefined) {
    if (normalisedHosts.size >= normalisedHostsLimit) {
      normalisedHosts.clear();
    }
    normalisedHosts.set(authority, host);
  }
  return host;
}

/**
 * `Example.COM:8080` → `example.com`, `[::1]:80` → `[::1]`; undefined when it is not a host at all
 * (spaces, slashes, `@`, an empty name, a non-numeric port…).
 */
export function normaliseHost(authority: string): string | undefined {
  let host = authority.toLowerCase();
  const portStart = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(":");
  if (portStart > 0) {
    if (!/^\d{0,5}$/.test(host.slice(portStart + 1))) {
      return undefined;
    }
    host = host.slice(0, portStart);
  }
  if (host.endsWith(".")) {
    host = host.slice(0, -1);
  }
  if (host.length === 0 || host.length > maxHostLength) {
    return undefined;
  }
  return hostName.test(host) || ipv6Literal.test(host) ? host : undefined;
}

/** Narrows the result of `readRequestTarget`. */
export function isBadTarget(target: RequestTarget | BadTarget): target is BadTarget {
  return "problem" in target;
}
