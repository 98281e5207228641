import { usageError } from "./cli-error.js";

/**
 * Builds an API path from segments, percent-encoding each one. Segments that a URL parser would
 * treat as "." or ".." are refused: `fetch` would resolve them and send the request elsewhere.
 *
 * @example apiPath("services", "web", "secrets", "DB_URL") // "/api/v1/services/web/secrets/DB_URL"
 */
export function apiPath(...segments: string[]): string {
  return `/api/v1/${segments.map(encodeSegment).join("/")}`;
}

function encodeSegment(segment: string): string {
  const decodedDots = segment.replaceAll(/%2e/gi, ".");
  if (segment === "" || decodedDots === "." || decodedDots === "..") {
    throw usageError(
      `${JSON.stringify(segment)} is not a valid name`,
      "names are lowercase letters, digits and '-' (secrets: letters, digits and '_')",
    );
  }
  return encodeURIComponent(segment);
}
