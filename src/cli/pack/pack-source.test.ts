import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Parser, type ReadEntry } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { packSource } from "./pack-source.js";
import { leavesTree, listSourceFiles } from "./source-files.js";

let root: string;

async function put(path: string, text = "x"): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), text);
}

/** Every entry of a tar.gz as `path` or `path -> target`, in archive order, read with the tar package. */
async function listArchive(archive: AsyncIterable<Uint8Array>): Promise<string[]> {
  const entries: string[] = [];
  const parser = new Parser({
    onReadEntry: (entry: ReadEntry) => {
      entries.push(entry.type === "SymbolicLink" ? `${entry.path} -> ${entry.linkpath}` : entry.path);
      entry.resume();
    },
  });
  await pipeline(Readable.from(archive), parser);
  return entries;
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "slipway-pack-"));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("packSource", () => {
  it("packs exactly the files git would commit, links as links", async () => {
    await put(".gitignore", "*.log\n/dist/\nsecret.env\n");
    await put("server.js", "console.log('hi')");
    await put("slipway.yaml", "service: web\n");
    await put("debug.log");
    await put("dist/bundle.js");
    await put("secret.env");
    await put("src/lib/util.js");
    await put("src/lib/trace.log");
    await put("src/.gitignore", "generated/\n!keep.log\n");
    await put("src/keep.log");
    await put("src/generated/out.js");
    await put("node_modules/left-pad/index.js");
    await put("src/node_modules/inner/index.js");
    await put(".git/HEAD", "ref: refs/heads/main\n");
    await put(".git/objects/ab/cdef");
    await symlink("server.js", join(root, "main.js"));
    await symlink("../server.js", join(root, "src/entry.js"));
    await symlink("/etc/passwd", join(root, "passwd"));
    await symlink("../../outside", join(root, "src/escape"));

    const packed = await packSource(root);
    const entries = await listArchive(packed.archive);

    expect(entries).toEqual([
      ".gitignore",
      "main.js -> server.js",
      "server.js",
      "slipway.yaml",
      "src/.gitignore",
      "src/entry.js -> ../server.js",
      "src/keep.log",
      "src/lib/util.js",
    ]);
    expect(packed.files.skippedLinks).toEqual(["passwd", "src/escape"]);
    expect(packed.archiveBytes()).toBeGreaterThan(0);
  });

  it("uploads node_modules when .slipwayignore asks for it, but never .git", async () => {
    await put("index.js");
    await put("node_modules/dep/index.js");
    await put(".git/config");
    await put(".slipwayignore", "!node_modules/\n.git/\n!.git/\n");
    const files = await listSourceFiles(root);
    expect(files.paths).toEqual([".slipwayignore", "index.js", "node_modules/dep/index.js"]);
  });

  it("counts the bytes of the files it will send", async () => {
    await put("a.txt", "12345");
    await put("b/c.txt", "123");
    expect((await listSourceFiles(root)).bytes).toBe(8);
  });

  it("refuses a tree where everything is ignored", async () => {
    await put(".gitignore", "*\n");
    await expect(packSource(root)).rejects.toThrow(/nothing to upload/);
  });
});

describe("leavesTree", () => {
  it("tells links inside the tree from links out of it", () => {
    expect(leavesTree("a.js", "b.js")).toBe(false);
    expect(leavesTree("src/a.js", "../b.js")).toBe(false);
    expect(leavesTree("src/a.js", "../../b.js")).toBe(true);
    expect(leavesTree("a.js", "..")).toBe(true);
    expect(leavesTree("a.js", "/tmp/x")).toBe(true);
    expect(leavesTree("a/b/c.js", "../../d/../e")).toBe(false);
  });
});
