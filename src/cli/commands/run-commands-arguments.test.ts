import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { runCli } from "../run-cli.js";
import { captureIo } from "../test-io.js";

// The run/deploy commands refuse bad input before talking to any server: no server runs here,
// and SLIPWAY_URL points at a port nothing listens on, so reaching the network would exit 7.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slipway-run-args-"));
  await mkdir(join(dir, "app"));
  await writeFile(
    join(dir, "app", "slipway.yaml"),
    "service: web\nstart: node server.js\nenvironments:\n  staging: {}\n",
  );
  await mkdir(join(dir, "broken"));
  await writeFile(
    join(dir, "broken", "slipway.yaml"),
    "service: web\nstart: node server.js\nreplicas: many\n",
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[]) {
  const io = captureIo({
    cwd: dir,
    env: { SLIPWAY_CONFIG: join(dir, "none.json"), SLIPWAY_URL: "http://127.0.0.1:9", SLIPWAY_TOKEN: "t" },
  });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe("argument errors of the run commands", () => {
  it("deploy --timeout must be a duration", async () => {
    const result = await run(["deploy", "app", "--timeout", "soon"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toContain('error: --timeout "soon" is not a duration');
  });

  it("deploy without a slipway.yaml exits 5", async () => {
    const result = await run(["deploy", "nowhere"]);
    expect(result.code).toBe(ExitCode.notFound);
    expect(result.err).toContain("nowhere/slipway.yaml does not exist");
  });

  it("deploy of an invalid slipway.yaml prints file:line:column and sends nothing", async () => {
    const result = await run(["deploy", "broken"]);
    expect(result.code).toBe(ExitCode.failure);
    expect(result.out).toMatch(/^broken\/slipway\.yaml:3:\d+: replicas/m);
    expect(result.err).toContain("nothing was sent to the server");
  });

  it("deploy to an environment the spec does not have is a usage error naming the ones it has", async () => {
    const result = await run(["deploy", "app", "--env", "qa"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toContain('app/slipway.yaml has no environment "qa"');
    expect(result.err).toContain("hint: its environments are: staging");
  });

  it("rollback --to needs a release number", async () => {
    const result = await run(["rollback", "web", "--to", "latest"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toContain('--to "latest" is not a release');
  });

  it("rollback without a service outside a service directory says how to name one", async () => {
    const result = await run(["rollback"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toContain("no service named and no slipway.yaml here");
  });

  it("scale needs a whole number of replicas from 0 to 100", async () => {
    for (const count of ["many", "-1", "101", "1.5"]) {
      const result = await run(["scale", "web", count]);
      expect(result.code).toBe(ExitCode.usage);
      expect(result.err).toContain("is not a whole number from 0 to 100");
    }
    expect((await run(["scale", "web"])).code).toBe(ExitCode.usage);
  });

  it("logs --limit must be a positive whole number", async () => {
    const result = await run(["logs", "web", "--limit", "0"]);
    expect(result.code).toBe(ExitCode.usage);
  });

  it("releases and restart need a service", async () => {
    expect((await run(["releases"])).code).toBe(ExitCode.usage);
    expect((await run(["restart"])).code).toBe(ExitCode.usage);
  });

  it("past the checks, a command reaches for the server (here: nothing listens, exit 7)", async () => {
    expect((await run(["scale", "web", "2"])).code).toBe(ExitCode.unreachable);
  });
});
