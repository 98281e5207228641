import { readFileSync } from "node:fs";

/**
 * The CLI's version, from the package.json two folders up (true from both src/cli and dist/cli).
 */
export function cliVersion(): string {
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
    );
    if (typeof manifest === "object" && manifest !== null && "version" in manifest) {
      return String(manifest.version);
    }
  } catch {
    // A broken install still runs; it just cannot say which version it is.
  }
  return "unknown";
}
