import type { AppFiles } from "./app-files.js";
import type { DetectedApp } from "./detected-app.js";

/** A static site: index.html, served by Python's file server. */
export async function detectStatic(files: AppFiles, fallbackName: string): Promise<DetectedApp | undefined> {
  if (!(await files.has("index.html"))) {
    return undefined;
  }
  return {
    kind: "static",
    name: fallbackName,
    start: "python3 -m http.server $PORT",
    // http.server has no /healthz; the index page answering is the health we can check.
    health: { type: "http", path: "/" },
    evidence: ["index.html found"],
  };
}
