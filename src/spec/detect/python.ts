import { toDnsLabel } from "../names.js";
import type { AppFiles } from "./app-files.js";
import type { DetectedApp } from "./detected-app.js";

/** Dependencies that mean the app serves HTTP, so an HTTP health check fits. */
const PYTHON_WEB = /^(flask|django|fastapi|gunicorn|uvicorn|starlette|bottle|aiohttp|sanic|falcon)\b/im;

/** A Python app: requirements.txt or pyproject.toml; started from a Procfile, gunicorn or app.py/main.py. */
export async function detectPython(files: AppFiles, fallbackName: string): Promise<DetectedApp | undefined> {
  const requirements = await files.text("requirements.txt");
  const pyproject = await files.text("pyproject.toml");
  if (requirements === undefined && pyproject === undefined) {
    return undefined;
  }
  const evidence = [requirements === undefined ? "pyproject.toml found" : "requirements.txt found"];
  const dependencies = `${requirements ?? ""}\n${pyproject ?? ""}`;
  const start = await pythonStart(files, dependencies, evidence);
  const projectName = /^\s*name\s*=\s*["']([^"']+)["']/m.exec(pyproject ?? "")?.[1];
  return {
    kind: "python",
    name: (projectName ? toDnsLabel(projectName) : undefined) ?? fallbackName,
    build: requirements === undefined ? "pip install ." : "pip install -r requirements.txt",
    ...(start ? { start } : {}),
    health: PYTHON_WEB.test(dependencies) ? { type: "http", path: "/healthz" } : { type: "tcp" },
    evidence,
  };
}

async function pythonStart(
  files: AppFiles,
  dependencies: string,
  evidence: string[],
): Promise<string | undefined> {
  const web = /^\s*web:\s*(.+)$/m.exec((await files.text("Procfile")) ?? "")?.[1]?.trim();
  if (web) {
    evidence.push("Procfile has a web process");
    return web;
  }
  const entry = (await files.has("app.py")) ? "app" : (await files.has("main.py")) ? "main" : undefined;
  if (entry && /^\s*gunicorn\b/im.test(dependencies)) {
    evidence.push(`gunicorn is a dependency and ${entry}.py exists`);
    return `gunicorn --bind 0.0.0.0:$PORT ${entry}:app`;
  }
  if (entry) {
    evidence.push(`${entry}.py found`);
    return `python ${entry}.py`;
  }
  return undefined;
}
