import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatSpecError } from "./format-error.js";
import { readServiceSpecFile } from "./read-file.js";

describe("readServiceSpecFile", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "slipway-spec-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("reads and parses a spec, naming the file in errors", async () => {
    const file = join(dir, "slipway.yaml");
    await writeFile(file, "service: web\nstart: npm start\nport: high\n");
    const result = await readServiceSpecFile(file);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.errors.map(formatSpecError)).toEqual([
      `${file}:3:7: port: expected a number, found "high"`,
    ]);
  });

  it("returns the parsed spec for a valid file", async () => {
    const file = join(dir, "valid.yaml");
    await writeFile(file, "service: web\nstart: npm start\n");
    const result = await readServiceSpecFile(file);
    expect(result.ok && result.spec.service).toBe("web");
  });

  it("reports a missing file with a hint to run slipway init", async () => {
    const file = join(dir, "nope.yaml");
    const result = await readServiceSpecFile(file);
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          file,
          line: 0,
          column: 0,
          path: "",
          message: "file not found",
          hint: "run `slipway init` to write a slipway.yaml for your app",
        },
      ],
    });
    expect(!result.ok && formatSpecError(result.errors[0] ?? expect.fail())).toBe(
      `${file}: file not found\n  hint: run \`slipway init\` to write a slipway.yaml for your app`,
    );
  });

  it("rejects a directory", async () => {
    const result = await readServiceSpecFile(dir);
    expect(!result.ok && result.errors[0]?.message).toBe("is not a file");
  });

  it("rejects a 10 MB file by its size, without reading it", async () => {
    const file = join(dir, "huge.yaml");
    await writeFile(file, "");
    await truncate(file, 10 * 1024 * 1024); // sparse: no 10 MB written to disk
    const result = await readServiceSpecFile(file);
    expect(!result.ok && result.errors[0]).toMatchObject({
      line: 0,
      message: expect.stringMatching(/10 MiB/),
    });
  });
});
