import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectApp } from "./detect-app.js";
import { formatSpecError } from "./format-error.js";
import { parseServiceSpec } from "./parse.js";
import { renderInitSpec } from "./render-init.js";

let root = "";
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "slipway-detect-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Makes an app directory with the given files. */
async function app(dirName: string, files: Record<string, string>): Promise<string> {
  const dir = join(root, dirName);
  await mkdir(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(dir, name), content);
  }
  return dir;
}

describe("detectApp", () => {
  it("detects a Node web app with build and start scripts", async () => {
    const dir = await app("shop", {
      "package.json": JSON.stringify({
        name: "@acme/Shop_Front",
        scripts: { build: "tsc", start: "node dist/index.js" },
        dependencies: { fastify: "^5.0.0" },
      }),
      "package-lock.json": "{}",
    });
    expect(await detectApp(dir)).toEqual({
      kind: "node",
      name: "acme-shop-front",
      build: "npm ci && npm run build",
      start: "npm start",
      health: { type: "http", path: "/healthz" },
      evidence: [
        "package.json found",
        'package.json has a "build" script',
        'package.json has a "start" script',
      ],
    });
  });

  it("falls back to main for a Node app without a start script, and to tcp when unsure it serves HTTP", async () => {
    const dir = await app("Worker App", { "package.json": JSON.stringify({ main: "worker.js" }) });
    expect(await detectApp(dir)).toMatchObject({
      kind: "node",
      name: "worker-app",
      build: "npm install",
      start: "node worker.js",
      health: { type: "tcp" },
    });
  });

  it("survives a broken package.json", async () => {
    const dir = await app("broken-node", { "package.json": "{ not json" });
    const detected = await detectApp(dir);
    expect(detected).toMatchObject({ kind: "node", name: "broken-node" });
    expect(detected.start).toBeUndefined();
    expect(detected.evidence).toContain("package.json is not valid JSON; its scripts were ignored");
  });

  it("takes a Python app's start command from its Procfile", async () => {
    const dir = await app("py-procfile", {
      "requirements.txt": "flask==3.0\ngunicorn\n",
      Procfile: "release: ./migrate\nweb: gunicorn wsgi:app --bind 0.0.0.0:$PORT\n",
    });
    expect(await detectApp(dir)).toMatchObject({
      kind: "python",
      build: "pip install -r requirements.txt",
      start: "gunicorn wsgi:app --bind 0.0.0.0:$PORT",
      health: { type: "http", path: "/healthz" },
    });
  });

  it("uses gunicorn for a Python app that depends on it", async () => {
    const dir = await app("py-gunicorn", { "requirements.txt": "Django\ngunicorn==22\n", "main.py": "" });
    expect((await detectApp(dir)).start).toBe("gunicorn --bind 0.0.0.0:$PORT main:app");
  });

  it("runs app.py for a plain Python project described by pyproject.toml", async () => {
    const dir = await app("py-plain", { "pyproject.toml": '[project]\nname = "My Tool"\n', "app.py": "" });
    expect(await detectApp(dir)).toMatchObject({
      kind: "python",
      name: "my-tool",
      build: "pip install .",
      start: "python app.py",
      health: { type: "tcp" },
    });
  });

  it("detects a Go module", async () => {
    const dir = await app("go-svc", {
      "go.mod": "module github.com/acme/ledger\n\ngo 1.22\n",
      "main.go": 'import "net/http"',
    });
    expect(await detectApp(dir)).toMatchObject({
      kind: "go",
      name: "ledger",
      build: "go build -o bin/app .",
      start: "./bin/app",
      health: { type: "http", path: "/healthz" },
    });
  });

  it("serves a static site with Python's file server", async () => {
    const dir = await app("site", { "index.html": "<h1>hi</h1>" });
    expect(await detectApp(dir)).toMatchObject({
      kind: "static",
      start: "python3 -m http.server $PORT",
      health: { type: "http", path: "/" },
    });
  });

  it("says unknown when nothing is recognised", async () => {
    const dir = await app("123", { "README.md": "hello" });
    expect(await detectApp(dir)).toEqual({
      kind: "unknown",
      name: "app",
      health: { type: "tcp" },
      evidence: ["no package.json, requirements.txt, pyproject.toml, go.mod or index.html found"],
    });
  });
});

describe("detectApp with renderInitSpec", () => {
  it.each([
    ["node", "e2e-node", { "package.json": JSON.stringify({ scripts: { start: "node ." } }) }],
    ["python", "e2e-python", { "requirements.txt": "flask\n", "app.py": "" }],
    ["go", "tool", { "go.mod": "module example.com/tool\n" }],
    ["static", "e2e-static", { "index.html": "" }],
    ["unknown", "e2e-unknown", {}],
  ])("turns a detected %s app into a spec that parses", async (kind, name, files) => {
    const detected = await detectApp(await app(`e2e-${kind}`, files));
    expect(detected.kind).toBe(kind);
    const text = renderInitSpec(detected, { schemaUrl: "http://127.0.0.1:7700/api/v1/schema/slipway.json" });
    const result = parseServiceSpec(text, "slipway.yaml");
    expect(result.ok ? [] : result.errors.map(formatSpecError)).toEqual([]);
    expect(result.ok && result.spec.service).toBe(name);
  });
});
