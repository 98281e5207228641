import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { saveConfig } from "./config-file.js";
import { ExitCode } from "./exit-codes.js";
import { runCli } from "./run-cli.js";
import { captureIo } from "./test-io.js";

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slipway-run-cli-"));
  env = { SLIPWAY_CONFIG: join(dir, "config.json") };
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(argv: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const io = captureIo({ env: { ...env, ...extraEnv } });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

/** A port nothing listens on: bound, read, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 1;
}

describe("argument errors", () => {
  it("an unknown command exits 2 with a did-you-mean hint", async () => {
    const result = await run(["servics"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toBe("error: unknown command 'servics'\nhint: did you mean services?\n");
  });

  it("a missing argument exits 2 and points at the command's help", async () => {
    const result = await run(["tokens", "create"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toBe(
      "error: missing required argument 'name'\nhint: run `slipway tokens create --help` to see the usage\n",
    );
  });

  it.each([
    [["whoami", "--bogus"], "unknown option '--bogus'"],
    [["whoami", "extra"], "too many arguments for 'whoami'"],
    [["completion", "powershell"], "Allowed choices are bash, zsh, fish"],
    [["up", "--port", "http"], "--port http is not a port number"],
    [["up", "--port", "70000"], "--port 70000 is not a port number"],
    [["login", "ftp://x"], "is not an http(s) URL"],
    [
      ["--url", "http://127.0.0.1:1", "--token", "t", "secrets", "rm", "web", ".."],
      '".." is not a valid name',
    ],
  ])("%j exits 2 with one error line and a hint", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(ExitCode.usage);
    const lines = result.err.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^error: /);
    expect(lines[0]).toContain(message);
    expect(lines[1]).toMatch(/^hint: /);
  });

  it("a command group without its subcommand shows help and exits 2", async () => {
    const result = await run(["secrets"]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.err).toContain("Usage: slipway secrets");
  });

  it("--help and --version succeed", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(ExitCode.ok);
    expect(help.out).toContain("Usage: slipway");
    const version = await run(["--version"]);
    expect(version.code).toBe(ExitCode.ok);
    expect(version.out).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe("server errors before any request", () => {
  it("without a token, exits 3 and says how to log in", async () => {
    const result = await run(["whoami"]);
    expect(result.code).toBe(ExitCode.unauthenticated);
    expect(result.err).toBe(
      "error: not logged in to http://127.0.0.1:7420\nhint: run `slipway login http://127.0.0.1:7420`, or set SLIPWAY_TOKEN\n",
    );
  });

  it("never sends the saved token to another server given with --url", async () => {
    const configPath = join(dir, "other.json");
    await saveConfig(configPath, { url: "http://127.0.0.1:7420", token: "slp_saved" });
    const result = await run(["whoami", "--url", "http://127.0.0.1:9"], { SLIPWAY_CONFIG: configPath });
    expect(result.code).toBe(ExitCode.unauthenticated);
    expect(result.err).toContain("not logged in to http://127.0.0.1:9");
  });

  it("exits 7 when nothing listens, with the `slipway up` hint", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(["services", "--url", url, "--token", "slp_x"]);
    expect(result.code).toBe(ExitCode.unreachable);
    expect(result.err).toBe(
      `error: cannot reach Slipway at ${url}\nhint: is \`slipway up\` running? the URL comes from \`slipway login\`, --url or SLIPWAY_URL\n`,
    );
  });

  it("adds HTTP traces and the stack with --debug", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(["services", "--debug"], { SLIPWAY_URL: url, SLIPWAY_TOKEN: "slp_x" });
    expect(result.code).toBe(ExitCode.unreachable);
    expect(result.err).toContain(`debug: > GET ${url}/api/v1/services`);
    expect(result.err).toContain("debug: < no response:");
    expect(result.err).toMatch(/UnreachableError: cannot reach .*\n\s+at /);
  });

  it("version still answers when the server is away", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(["version", "--url", url]);
    expect(result.code).toBe(ExitCode.ok);
    expect(result.out).toContain(`server: not reachable at ${url}`);
    const json = await run(["version", "--json", "--url", url]);
    expect(JSON.parse(json.out)).toMatchObject({ cli: { version: expect.any(String) }, server: null });
  });

  it("logout without a login has nothing to do", async () => {
    const result = await run(["logout"]);
    expect(result.code).toBe(ExitCode.ok);
    expect(result.out).toBe("not logged in; nothing to do\n");
  });
});
