import { usageError } from "./cli-error.js";

/** Where `slipway up` listens by default, and so where the CLI looks first. */
export const DEFAULT_SERVER_URL = "http://127.0.0.1:7420";

/**
 * Normalises a server URL as typed by a user: `127.0.0.1:7420` gets `http://`, a trailing `/` is
 * dropped. Anything that is not an http(s) URL is a usage error.
 *
 * @example normalizeServerUrl("localhost:7420/") // "http://localhost:7420"
 */
export function normalizeServerUrl(input: string): string {
  const trimmed = input.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `http://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw usageError(
      `${JSON.stringify(input)} is not a URL`,
      "give the server's URL, e.g. http://127.0.0.1:7420",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usageError(
      `${JSON.stringify(input)} is not an http(s) URL`,
      "give the server's URL, e.g. http://127.0.0.1:7420",
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw usageError(
      `${JSON.stringify(input)} must be just the server's address`,
      "leave out credentials, ?query and #fragment; the token goes in --token",
    );
  }
  return url.href.replace(/\/+$/, "");
}
