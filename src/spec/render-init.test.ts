import { describe, expect, it } from "vitest";
import type { DetectedApp } from "./detect-app.js";
import { formatSpecError } from "./format-error.js";
import { parseServiceSpec } from "./parse.js";
import { renderInitSpec } from "./render-init.js";

const SCHEMA_URL = "http://127.0.0.1:7700/api/v1/schema/slipway.json";

const DETECTED: Record<DetectedApp["kind"], DetectedApp> = {
  node: {
    kind: "node",
    name: "shop",
    build: "npm ci && npm run build",
    start: "npm start",
    health: { type: "http", path: "/healthz" },
    evidence: ["package.json found"],
  },
  python: {
    kind: "python",
    name: "api",
    build: "pip install -r requirements.txt",
    start: "gunicorn --bind 0.0.0.0:$PORT app:app",
    health: { type: "http", path: "/healthz" },
    evidence: ["requirements.txt found"],
  },
  go: {
    kind: "go",
    name: "ledger",
    build: "go build -o bin/app .",
    start: "./bin/app",
    health: { type: "tcp" },
    evidence: ["go.mod found"],
  },
  static: {
    kind: "static",
    name: "site",
    start: "python3 -m http.server $PORT",
    health: { type: "http", path: "/" },
    evidence: ["index.html found"],
  },
  unknown: { kind: "unknown", name: "app", health: { type: "tcp" }, evidence: ["nothing recognised"] },
};

describe("renderInitSpec", () => {
  it.each(Object.values(DETECTED))("writes a spec for a $kind app that parses without errors", (detected) => {
    const text = renderInitSpec(detected, { schemaUrl: SCHEMA_URL });
    expect(text.startsWith(`# yaml-language-server: $schema=${SCHEMA_URL}\n`)).toBe(true);
    const result = parseServiceSpec(text, "slipway.yaml");
    if (!result.ok) {
      expect.fail(result.errors.map(formatSpecError).join("\n"));
    }
    expect(result.warnings).toEqual([]);
    expect(result.spec.service).toBe(detected.name);
    expect(result.spec.environments.map((environment) => [environment.name, environment.approval])).toEqual([
      ["staging", "none"],
      ["production", "required"],
    ]);
  });

  it("keeps the detected commands and health check", () => {
    const result = parseServiceSpec(
      renderInitSpec(DETECTED.python, { schemaUrl: SCHEMA_URL }),
      "slipway.yaml",
    );
    expect(result.ok && result.spec).toMatchObject({
      build: { command: "pip install -r requirements.txt", workdir: "." },
      start: "gunicorn --bind 0.0.0.0:$PORT app:app",
      health: { readiness: { check: { type: "http", path: "/healthz" } } },
    });
  });

  it("marks what it could not detect as TODO with a start command that fails loudly", () => {
    const text = renderInitSpec(DETECTED.unknown, { schemaUrl: SCHEMA_URL });
    expect(text).toContain("# TODO: the command that builds the service");
    expect(text).toContain("# TODO: the command that starts one replica");
    const result = parseServiceSpec(text, "slipway.yaml");
    expect(result.ok && result.spec.start).toBe('echo "TODO: set start in slipway.yaml" >&2; exit 1');
    expect(result.ok && result.spec.health.readiness?.check).toEqual({ type: "tcp" });
  });

  it("uses the given name, made into a DNS label", () => {
    const parsed = (name: string) => {
      const result = parseServiceSpec(
        renderInitSpec(DETECTED.node, { name, schemaUrl: SCHEMA_URL }),
        "s.yaml",
      );
      return result.ok ? result.spec.service : undefined;
    };
    expect(parsed("billing")).toBe("billing");
    expect(parsed("My Billing App")).toBe("my-billing-app");
    expect(parsed("$$$")).toBe("shop");
  });

  it("quotes commands that YAML would otherwise misread", () => {
    const detected = { ...DETECTED.node, start: "node server.js # comment: not really" };
    const result = parseServiceSpec(renderInitSpec(detected, { schemaUrl: SCHEMA_URL }), "slipway.yaml");
    expect(result.ok && result.spec.start).toBe("node server.js # comment: not really");
  });
});
