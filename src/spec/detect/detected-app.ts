/** The kinds of app `slipway init` recognises. */
export type AppKind = "node" | "python" | "go" | "static" | "unknown";

/** What `slipway init` found in a directory, and the spec settings it suggests. */
export interface DetectedApp {
  kind: AppKind;
  /** Suggested service name, a DNS label (from package.json, pyproject.toml, go.mod or the directory). */
  name: string;
  /** Build command, when the app needs one. */
  build?: string;
  /** Start command; undefined when we could not tell (unknown apps, Node without start script or main). */
  start?: string;
  /** Health check: http for apps that serve HTTP, tcp when unsure. */
  health: { type: "http"; path: string } | { type: "tcp" };
  /** What the guesses are based on, one line each (`package.json has a "build" script`). */
  evidence: string[];
}
