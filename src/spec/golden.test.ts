import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatSpecError } from "./format-error.js";
import { parseServiceSpec } from "./parse.js";

/*
 * Golden files, named by scenario: testdata/valid/<scenario>.yaml with its normalised spec in
 * <scenario>.golden.json, and testdata/invalid/<scenario>.yaml with the exact error text in
 * <scenario>.golden.txt. After an intended change: UPDATE_GOLDEN=1 npx vitest run src/spec
 */

const update = process.env.UPDATE_GOLDEN === "1";
const testdata = (folder: string) => fileURLToPath(new URL(`./testdata/${folder}/`, import.meta.url));

function scenarios(folder: string): string[] {
  return readdirSync(testdata(folder))
    .filter((name) => name.endsWith(".yaml"))
    .map((name) => name.slice(0, -".yaml".length))
    .sort();
}

async function checkGolden(path: string, actual: string): Promise<void> {
  if (update) {
    await writeFile(path, actual);
    return;
  }
  const expected = await readFile(path, "utf8").catch(() => undefined);
  expect(expected, `${path} is missing: run UPDATE_GOLDEN=1 npx vitest run src/spec`).toBeDefined();
  expect(actual).toBe(expected);
}

describe.each([
  ["valid", ".golden.json"],
  ["invalid", ".golden.txt"],
])("testdata/%s", (folder, suffix) => {
  it("has a golden file for every scenario and no orphans", () => {
    const names = readdirSync(testdata(folder));
    const goldens = names
      .filter((name) => name.endsWith(suffix))
      .map((name) => name.slice(0, -suffix.length));
    expect(goldens.sort()).toEqual(update ? goldens.sort() : scenarios(folder));
    expect(scenarios(folder).length).toBeGreaterThanOrEqual(4);
  });
});

describe("valid specs parse to their golden normalised form", () => {
  it.each(scenarios("valid"))("%s", async (scenario) => {
    const source = await readFile(`${testdata("valid")}${scenario}.yaml`);
    const result = parseServiceSpec(source, "slipway.yaml");
    if (!result.ok) {
      expect.fail(result.errors.map(formatSpecError).join("\n"));
    }
    expect(result.warnings).toEqual([]);
    await checkGolden(
      `${testdata("valid")}${scenario}.golden.json`,
      `${JSON.stringify(result.spec, null, 2)}\n`,
    );
  });
});

describe("invalid specs fail with their golden error text", () => {
  it.each(scenarios("invalid"))("%s", async (scenario) => {
    const source = await readFile(`${testdata("invalid")}${scenario}.yaml`);
    const result = parseServiceSpec(source, "slipway.yaml");
    if (result.ok) {
      expect.fail(`${scenario}.yaml parsed without errors`);
    }
    const text = `${result.errors.map(formatSpecError).join("\n")}\n`;
    await checkGolden(`${testdata("invalid")}${scenario}.golden.txt`, text);
  });
});
