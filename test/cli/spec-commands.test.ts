import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliSandbox, createCliSandbox } from "./support/slipway-cli.js";

// End to end: the built `slipway` binary on local files (init, validate, schema need no server).
let cli: CliSandbox;
let appDir: string;
beforeAll(async () => {
  cli = await createCliSandbox();
  appDir = join(cli.dir, "hello-api");
  await mkdir(appDir);
  await writeFile(
    join(appDir, "package.json"),
    JSON.stringify({ name: "hello-api", version: "1.0.0", scripts: { start: "node server.js" } }, null, 2),
  );
  await writeFile(
    join(appDir, "server.js"),
    "require('node:http').createServer((q, s) => s.end('hi')).listen(process.env.PORT);\n",
  );
  await copyFile(
    fileURLToPath(new URL("fixtures/broken.slipway.yaml", import.meta.url)),
    join(cli.dir, "broken.yaml"),
  );
});
afterAll(async () => {
  await cli?.cleanup();
});

describe("slipway init", () => {
  it("detects a Node app and writes a valid slipway.yaml with the schema line", async () => {
    const result = await cli.run(["init"], { cwd: appDir });
    expect(result.stderr).not.toContain("error:");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/node/i);
    expect(result.stdout).toContain("wrote slipway.yaml");
    const text = await readFile(join(appDir, "slipway.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=http://127.0.0.1:7420/api/v1/schema/slipway.json",
    );
    expect(text).toMatch(/^service: hello-api$/m);

    const validate = await cli.run(["validate"], { cwd: appDir });
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain("slipway.yaml is valid (service hello-api)");
  });

  it("never overwrites an existing slipway.yaml without --force (exit 6)", async () => {
    const before = await readFile(join(appDir, "slipway.yaml"), "utf8");
    const result = await cli.run(["init"], { cwd: appDir });
    expect(result.code).toBe(6);
    expect(result.stderr).toBe(
      "error: slipway.yaml already exists\nhint: edit it, or pass --force to replace it with a freshly detected one\n",
    );
    expect(await readFile(join(appDir, "slipway.yaml"), "utf8")).toBe(before);
  });

  it("overwrites with --force, names the service with --name, and takes the schema URL from the server URL", async () => {
    const result = await cli.run(["init", appDir, "--force", "--name", "greeter", "--json"], {
      env: { SLIPWAY_URL: "http://10.1.2.3:7420" },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      file: join(appDir, "slipway.yaml"),
      overwritten: true,
    });
    const text = await readFile(join(appDir, "slipway.yaml"), "utf8");
    expect(text).toContain("$schema=http://10.1.2.3:7420/api/v1/schema/slipway.json");
    expect(text).toMatch(/^service: greeter$/m);
    const validate = await cli.run(["validate", join(appDir, "slipway.yaml"), "--json"]);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, errors: [] });
  });

  it("refuses a directory that does not exist (exit 5)", async () => {
    const result = await cli.run(["init", "no-such-dir"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/^error: no-such-dir is not a directory\nhint: /);
  });
});

describe("slipway validate", () => {
  it("prints every error of a broken file as file:line:column: path: message, and exits 1", async () => {
    const result = await cli.run(["validate", "broken.yaml"]);
    expect(result.code).toBe(1);
    const errorLines = result.stdout.split("\n").filter((line) => /^broken\.yaml:\d+:\d+: /.test(line));
    // service name, port type, unknown key `helth`, replicas type: all at once, not just the first.
    expect(errorLines.length).toBeGreaterThanOrEqual(4);
    expect(result.stdout).toMatch(/^broken\.yaml:1:\d+: service: /m);
    expect(result.stdout).toMatch(/^broken\.yaml:3:\d+: port: /m);
    expect(result.stdout).toMatch(/^broken\.yaml:4:\d+: helth: [^\n]*(\n.*)?health/m);
    expect(result.stdout).toMatch(/^broken\.yaml:7:\d+: replicas: /m);
    expect(result.stderr).toMatch(/broken\.yaml is invalid: \d+ errors/);
  });

  it("--json gives {valid, errors} with positions", async () => {
    const result = await cli.run(["validate", "broken.yaml", "--json"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.errors.length).toBeGreaterThanOrEqual(4);
    for (const error of report.errors) {
      expect(error).toMatchObject({
        file: "broken.yaml",
        line: expect.any(Number),
        column: expect.any(Number),
        message: expect.any(String),
      });
    }
  });

  it("says how to create a missing slipway.yaml (exit 5)", async () => {
    const result = await cli.run(["validate"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toBe("error: slipway.yaml does not exist\nhint: run `slipway init` to write one\n");
  });
});

describe("slipway schema", () => {
  it("prints the JSON Schema of slipway.yaml", async () => {
    const result = await cli.run(["schema"]);
    expect(result.code).toBe(0);
    const schema = JSON.parse(result.stdout);
    expect(schema.properties).toHaveProperty("service");
    expect(schema.properties).toHaveProperty("health");
  });
});
