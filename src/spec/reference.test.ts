import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { renderSpecReference } from "./reference.js";

const docsFile = fileURLToPath(new URL("../../docs/slipway-yaml.md", import.meta.url));

describe("renderSpecReference", () => {
  const reference = renderSpecReference();

  it("documents every top-level field with its type", () => {
    for (const key of [
      "service",
      "build",
      "start",
      "port",
      "env",
      "secrets",
      "health",
      "resources",
      "replicas",
    ]) {
      expect(reference).toContain(`### \`${key}\``);
    }
    for (const key of ["scale", "routes", "environments", "deploy", "alerts", "metrics"]) {
      expect(reference).toContain(`### \`${key}\``);
    }
    expect(reference).toContain(
      "### `health.readiness.period`\n\nTime between checks; at least 100ms.\n\n- Type: duration",
    );
    expect(reference).toContain('- Default: `"10s"`');
  });

  it("has examples that are valid YAML", () => {
    const examples = [...reference.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");
    expect(examples.length).toBeGreaterThan(40);
    for (const example of examples) {
      expect(() => parse(example)).not.toThrow();
    }
  });

  it("matches docs/slipway-yaml.md", async () => {
    if (process.env.UPDATE_GOLDEN === "1") {
      await writeFile(docsFile, reference);
    }
    const committed = await readFile(docsFile, "utf8").catch(() => "");
    expect(
      committed === reference,
      "docs/slipway-yaml.md is stale: it must be generated from the schema. Run `npm run docs` and commit the result.",
    ).toBe(true);
  });
});
