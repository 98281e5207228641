import { basename, resolve } from "node:path";
import { AppFiles } from "./detect/app-files.js";
import type { DetectedApp } from "./detect/detected-app.js";
import { detectGo } from "./detect/go.js";
import { detectNode } from "./detect/node.js";
import { detectPython } from "./detect/python.js";
import { detectStatic } from "./detect/static-site.js";
import { toDnsLabel } from "./names.js";

export type { AppKind, DetectedApp } from "./detect/detected-app.js";

/**
 * Looks at a directory and guesses the kind of app and how to build, start and check it: Node
 * (package.json), Python (requirements.txt, pyproject.toml), Go (go.mod), a static site (index.html), or
 * unknown. Reads a handful of small files; never runs anything.
 *
 * @example const app = await detectApp(process.cwd()); // { kind: "node", start: "npm start", ... }
 */
export async function detectApp(dir: string): Promise<DetectedApp> {
  const files = new AppFiles(dir);
  const fallbackName = toDnsLabel(basename(resolve(dir))) ?? "app";
  return (
    (await detectNode(files, fallbackName)) ??
    (await detectPython(files, fallbackName)) ??
    (await detectGo(files, fallbackName)) ??
    (await detectStatic(files, fallbackName)) ?? {
      kind: "unknown",
      name: fallbackName,
      health: { type: "tcp" },
      evidence: ["no package.json, requirements.txt, pyproject.toml, go.mod or index.html found"],
    }
  );
}
