import { usageError } from "./cli-error.js";

/**
 * A release number as users write it: `3` or `v3`. Anything else is a usage error (exit 2).
 *
 * @example parseReleaseVersion("v3", "--to") // 3
 */
export function parseReleaseVersion(text: string, option: string): number {
  const match = /^v?(\d{1,9})$/i.exec(text.trim());
  const version = match ? Number(match[1]) : Number.NaN;
  if (!Number.isInteger(version) || version < 1) {
    throw usageError(
      `${option} ${JSON.stringify(text)} is not a release`,
      "write the release number, e.g. 3 or v3 (`slipway releases SERVICE` lists them)",
    );
  }
  return version;
}
