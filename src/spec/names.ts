/**
 * Name rules shared by the schema and by `slipway init`, which must produce names the schema accepts.
 */

/** DNS-1123 label that starts with a letter: safe in hostnames, paths, process and cgroup names. */
export const DNS_LABEL_PATTERN = "^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$";
const DNS_LABEL_REGEX = new RegExp(DNS_LABEL_PATTERN);

/** POSIX-style environment variable name. */
export const ENV_VAR_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";
/** Prometheus metric, alert and label name. */
export const PROMETHEUS_NAME_PATTERN = "^[a-zA-Z_][a-zA-Z0-9_]*$";

/** Hostname (`api.example.com`) or one-level wildcard (`*.example.com`), any case, no port. */
export const ROUTE_HOST_PATTERN =
  "^(?:\\*\\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$";
const ROUTE_HOST_REGEX = new RegExp(ROUTE_HOST_PATTERN);

/**
 * True when `name` is a lowercase DNS-1123 label that starts with a letter and is at most 63 characters.
 *
 * @example isDnsLabel("billing-api") // true
 * @example isDnsLabel("../etc") // false
 */
export function isDnsLabel(name: string): boolean {
  return DNS_LABEL_REGEX.test(name);
}

/**
 * Turns any directory or package name into a DNS label, or returns undefined when nothing usable is left.
 *
 * @example toDnsLabel("@acme/My_App") // "acme-my-app"
 */
export function toDnsLabel(raw: string): string | undefined {
  const label = raw
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^[^a-z]+/, "")
    .slice(0, 63)
    .replace(/-+$/, "");
  return isDnsLabel(label) ? label : undefined;
}

/**
 * True for a hostname (`api.example.com`, `localhost`) or a wildcard covering one level of subdomains
 * (`*.example.com`). Case-insensitive, no port, no trailing dot.
 */
export function isRouteHost(host: string): boolean {
  return host.length <= 253 && ROUTE_HOST_REGEX.test(host);
}
