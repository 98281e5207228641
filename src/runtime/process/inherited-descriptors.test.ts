import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const dist = join(import.meta.dirname, "..", "..", "..", "dist", "runtime", "index.js");

/**
 * A platform whose own parent left it descriptor 77 open (as a shell's job wrapper does) starts a
 * replica that lists its descriptors: it must see only its stdio, and the pipe (3) of the
 * listing's own command substitution.
 */
const platformScript = `
import { createProcessRuntime } from ${JSON.stringify(dist)};
const runtime = createProcessRuntime({ stateDir: process.argv[1], exitPollIntervalMs: 20 });
const replicaDir = process.argv[2];
await runtime.start({
  id: "fds", service: "web", environment: "staging", release: "v1",
  command: "echo $(ls /proc/$$/fd)",
  cwd: replicaDir, env: {}, resources: {}, logDir: replicaDir + "/logs",
});
for (let i = 0; i < 100 && !(await runtime.inspect("fds"))?.exit; i++) await new Promise((r) => setTimeout(r, 50));
const lines = [];
for await (const line of runtime.readLogs("fds")) lines.push(line.line);
console.log(JSON.stringify(lines));
await runtime.close();
`;

describe("descriptors a replica inherits", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("are its stdio only, whatever the platform's own parent left open", async () => {
    dir = mkdtempSync(join(tmpdir(), "slipway-fds-"));
    // The platform is started by a parent that left a descriptor open for it, inheritable, as a
    // shell's job wrapper does (python3 makes one on purpose; Node cannot).
    const parent = [
      "import os, sys",
      "fd = os.open('/dev/null', os.O_WRONLY)",
      "os.dup2(fd, 77)",
      "os.set_inheritable(77, True)",
      "os.execv(sys.argv[1], sys.argv[1:])",
    ].join("; ");
    const child = spawn(
      "python3",
      ["-c", parent, process.execPath, "--input-type=module", "-e", platformScript, join(dir, "state"), dir],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    await new Promise((resolve) => child.once("exit", resolve));
    const [listed] = JSON.parse(out.trim().split("\n").at(-1) ?? "[]") as string[];
    expect(listed?.trim().split(" ")).toEqual(["0", "1", "2", "3"]);
  }, 30_000);
});
