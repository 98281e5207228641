import { toDnsLabel } from "../names.js";
import type { AppFiles } from "./app-files.js";
import type { DetectedApp } from "./detected-app.js";

/** Dependencies that mean the app serves HTTP, so an HTTP health check fits. */
const NODE_WEB =
  /^(express|fastify|koa|@hapi\/hapi|hapi|next|@nestjs\/core|hono|@hono\/node-server|restify|polka)$/;

interface PackageJson {
  name?: unknown;
  main?: unknown;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
}

/** A Node.js app: package.json scripts, else `main`, else index.js. */
export async function detectNode(files: AppFiles, fallbackName: string): Promise<DetectedApp | undefined> {
  const text = await files.text("package.json");
  if (text === undefined) {
    return undefined;
  }
  const evidence = ["package.json found"];
  const pkg = parsePackageJson(text, evidence);
  const install = (await files.has("package-lock.json")) ? "npm ci" : "npm install";
  const hasBuild = typeof pkg.scripts?.build === "string";
  if (hasBuild) {
    evidence.push('package.json has a "build" script');
  }
  const start = await nodeStart(pkg, files, evidence);
  const web = Object.keys(pkg.dependencies ?? {}).some((name) => NODE_WEB.test(name));
  return {
    kind: "node",
    name: (typeof pkg.name === "string" ? toDnsLabel(pkg.name) : undefined) ?? fallbackName,
    build: hasBuild ? `${install} && npm run build` : install,
    ...(start ? { start } : {}),
    health: web ? { type: "http", path: "/healthz" } : { type: "tcp" },
    evidence,
  };
}

function parsePackageJson(text: string, evidence: string[]): PackageJson {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null ? (parsed as PackageJson) : {};
  } catch {
    evidence.push("package.json is not valid JSON; its scripts were ignored");
    return {};
  }
}

async function nodeStart(pkg: PackageJson, files: AppFiles, evidence: string[]): Promise<string | undefined> {
  if (typeof pkg.scripts?.start === "string") {
    evidence.push('package.json has a "start" script');
    return "npm start";
  }
  if (typeof pkg.main === "string") {
    evidence.push(`package.json names main ${pkg.main}`);
    return `node ${pkg.main}`;
  }
  if (await files.has("index.js")) {
    evidence.push("index.js found");
    return "node index.js";
  }
  return undefined;
}
