import { existsSync } from "node:fs";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tar from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningPlatform } from "../../src/api/index.js";
import { specFor } from "./apps.js";
import type { clientFor } from "./platform-client.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

/** A tar.gz whose entries try to climb out of the directory they are unpacked in. */
async function escapingArchive(): Promise<Buffer> {
  const root = await mkdtemp(join(tmpdir(), "slipway-evil-"));
  const inner = join(root, "inner");
  await mkdir(inner);
  await writeFile(join(root, "evil.txt"), "escaped");
  await writeFile(join(inner, "server.js"), "console.log('hi')");
  const chunks: Buffer[] = [];
  const stream = tar.c({ gzip: true, cwd: inner, preservePaths: true }, [
    "server.js",
    "../evil.txt",
    join(root, "evil.txt"),
  ]);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

describe("bad uploads never write outside the release or crash the platform", () => {
  let home: string;
  let run: TestRunPlatform;
  let platform: RunningPlatform;
  let client: ReturnType<typeof clientFor>;

  beforeAll(async () => {
    run = await startRunPlatform("slipway-bad-upload-");
    ({ home, platform, client } = run);
    await client.apply("greeter", specFor("greeter"));
  }, 60_000);
  afterAll(() => run?.close());

  it("refuses an archive with ../ and absolute entries, writing nothing outside the release", async () => {
    const { buildFailed, version } = await client.deploy("greeter", await escapingArchive());
    expect(buildFailed).toBe(true);
    const log = await client.call<{ reason: string | null }>(
      "GET",
      `/api/v1/services/greeter/releases/${version}/build-log`,
    );
    expect(log.body.reason).toMatch(/^could not unpack or build: TAR_ENTRY_ERROR: path contains '\.\.'/);
    expect(existsSync(join(home, "releases", "greeter", "evil.txt"))).toBe(false);
    expect(existsSync(join(home, "releases", "evil.txt"))).toBe(false);
    // What was unpacked before the refusal is gone with the failed build.
    expect(existsSync(join(home, "releases", "greeter", `v${version}`, "app"))).toBe(false);
  });

  it("fails the build of an archive that is not gzip, with the reason in the build log", async () => {
    const { buildFailed, version } = await client.deploy("greeter", Buffer.from("this is not a tarball"));
    expect(buildFailed).toBe(true);
    const log = await client.call<{ status: string; reason: string | null; lines: { line: string }[] }>(
      "GET",
      `/api/v1/services/greeter/releases/${version}/build-log`,
    );
    expect(log.body.status).toBe("failed");
    // Why, in so many words, beside the log (`slipway deploy` prints it after "the build failed").
    expect(log.body.reason).toMatch(/unpack/);
    expect(log.body.lines.map((l) => l.line).join("\n")).toMatch(/could not unpack/);
    expect((await fetch(`${platform.url}/healthz`)).status).toBe(200);
  });

  it("refuses an upload that is not sent as gzip", async () => {
    const res = await fetch(`${platform.url}/api/v1/services/greeter/releases`, {
      method: "POST",
      headers: { authorization: `Bearer ${platform.adminToken}`, "content-type": "text/plain" },
      body: "hello",
    });
    expect(res.status).toBe(415);
  });
});
