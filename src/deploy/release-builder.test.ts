import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tar from "tar";
import { afterAll, describe, expect, it } from "vitest";
import { ProcessRuntime } from "../runtime/index.js";
import { parseServiceSpec, type ServiceSpec } from "../spec/index.js";
import { buildRelease, type UnpackLimits } from "./release-builder.js";

function spec(extra = ""): ServiceSpec {
  const result = parseServiceSpec(`service: web\nstart: node server.js\n${extra}`, "slipway.yaml");
  if (!result.ok) {
    expect.fail(JSON.stringify(result.errors));
  }
  return result.spec;
}

/** A tar.gz of the given files, and a fresh place to build it. */
async function archiveOf(files: Record<string, string | Buffer>) {
  const root = await mkdtemp(join(tmpdir(), "slipway-builder-"));
  const source = join(root, "source");
  await mkdir(source);
  for (const [name, content] of Object.entries(files)) {
    await writeFile(join(source, name), content);
  }
  const archive = join(root, "source.tar.gz");
  await tar.c({ gzip: true, cwd: source, file: archive }, Object.keys(files));
  return { archive, appDir: join(root, "release", "app"), logDir: join(root, "release", "build-log") };
}

const build = (paths: Awaited<ReturnType<typeof archiveOf>>, unpackLimits?: UnpackLimits, extra = "") =>
  buildRelease({
    ...paths,
    spec: spec(extra),
    baseEnv: { PATH: "/usr/bin:/bin" },
    timeoutMs: 10_000,
    ...(unpackLimits ? { unpackLimits } : {}),
  });

// Builds in cgroups need a machine that lets us make them (root, v1 pids or a delegated v2).
const runtimeDir = mkdtempSync(join(tmpdir(), "slipway-builder-cgroups-"));
const runtime = new ProcessRuntime({ stateDir: runtimeDir });
const support = runtime.cgroupSupport();
afterAll(() => {
  runtime.removeEmptyCgroupParents();
  rmSync(runtimeDir, { recursive: true, force: true });
});

describe("buildRelease", () => {
  it("stops unpacking a tree larger than the limit, as a gzip bomb is, and removes what it wrote", async () => {
    // 8 MiB of zeros: a few KiB compressed.
    const paths = await archiveOf({ "server.js": "", "zeros.bin": Buffer.alloc(8 * 1024 * 1024) });
    const outcome = await build(paths, { bytes: 1024 * 1024, entries: 100 });
    expect(outcome).toMatchObject({ ok: false });
    expect(outcome.ok ? "" : outcome.reason).toMatch(
      /^could not unpack or build: the source unpacks to more than 1 MiB; add build output and installed dependencies to \.gitignore/,
    );
    expect(existsSync(paths.appDir)).toBe(false);
  });

  it("stops at the limit of files", async () => {
    const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`f${i}.txt`, "x"]));
    const outcome = await build(await archiveOf(files), { bytes: 1024 * 1024, entries: 10 });
    expect(outcome.ok ? "" : outcome.reason).toMatch(/the source holds more than 10 files/);
  });

  it("removes the tree of a build that fails, and keeps the one of a build that passes", async () => {
    const failing = await archiveOf({ "server.js": "" });
    expect(await build(failing, undefined, "build: exit 3\n")).toMatchObject({
      ok: false,
      reason: "the build exited with code 3",
    });
    expect(existsSync(failing.appDir)).toBe(false);
    const passing = await archiveOf({ "server.js": "console.log(1)" });
    expect(await build(passing, { bytes: 1024, entries: 1 }, "build: test -f server.js\n")).toEqual({
      ok: true,
    });
    expect(existsSync(join(passing.appDir, "server.js"))).toBe(true);
  });

  describe.skipIf(support.pids === undefined)("in cgroups of its own", () => {
    it("caps the build's processes, so a fork bomb fails the build and nothing else", async () => {
      const cgroups = runtime.createWorkCgroups("web#build", { maxProcesses: 8 });
      const outcome = await buildRelease({
        ...(await archiveOf({ "server.js": "" })),
        spec: spec(
          'build: "i=0; while [ $i -lt 20 ]; do sleep 30 >/dev/null 2>&1 & i=$((i+1)); done; echo all forked"\n',
        ),
        baseEnv: { PATH: "/usr/bin:/bin" },
        timeoutMs: 10_000,
        cgroups,
      });
      expect(outcome.ok).toBe(false);
      expect(outcome.ok ? [] : outcome.lastLines.join("\n")).toMatch(/fork/i);
      // The sleeps it did fork went with the build's cgroups.
      expect(cgroups.pids()).toEqual([]);
      expect(cgroups.procsFiles.some((file) => existsSync(file))).toBe(false);
    });

    it("ends what a passing build left running in the background", async () => {
      const cgroups = runtime.createWorkCgroups("web#build", {});
      const outcome = await buildRelease({
        ...(await archiveOf({ "server.js": "" })),
        // Holding the build's output open: the build still ends when its command does.
        spec: spec('build: "sleep 300 & echo left running"\n'),
        baseEnv: { PATH: "/usr/bin:/bin" },
        timeoutMs: 10_000,
        cgroups,
      });
      expect(outcome).toEqual({ ok: true });
      expect(cgroups.pids()).toEqual([]);
    });
  });
});
