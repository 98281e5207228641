import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildProgram } from "../run-cli.js";
import { captureIo } from "../test-io.js";
import { bashCompletionScript } from "./bash.js";
import { allCommands, commandTree } from "./command-tree.js";
import { fishCompletionScript } from "./fish.js";
import { zshCompletionScript } from "./zsh.js";

const root = commandTree(buildProgram(captureIo()));
const scripts = {
  bash: bashCompletionScript(root),
  zsh: zshCompletionScript(root),
  fish: fishCompletionScript(root),
};

describe("the command tree", () => {
  it("has every command of the CLI", () => {
    const paths = allCommands(root).map((command) => command.path.join(" "));
    for (const expected of [
      "up",
      "init",
      "validate",
      "schema",
      "apply",
      "login",
      "logout",
      "whoami",
      "services",
      "status",
      "secrets set",
      "secrets list",
      "secrets rm",
      "tokens list",
      "tokens create",
      "tokens revoke",
      "events",
      "version",
      "completion",
    ]) {
      expect(paths).toContain(expected);
    }
  });
});

describe.each(Object.entries(scripts))("the %s script", (_shell, script) => {
  it("names every command and every long flag", () => {
    for (const command of allCommands(root)) {
      for (const name of command.path) {
        expect(script).toContain(name);
      }
      for (const option of command.options) {
        for (const flag of option.flags.filter((f) => f.startsWith("--"))) {
          expect(script).toContain(flag.replace(/^--/, ""));
        }
      }
    }
  });

  it("offers the shells of `completion`", () => {
    for (const shell of ["bash", "zsh", "fish"]) {
      expect(script).toContain(shell);
    }
  });
});

describe("the bash script, run by bash", () => {
  let dir: string;
  let file: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "slipway-completion-"));
    file = join(dir, "slipway.bash");
    await writeFile(file, scripts.bash);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** What bash offers after typing `line` (the last word is being completed). */
  async function complete(line: string): Promise<string[]> {
    const words = line.split(" ");
    const program = [
      `source ${JSON.stringify(file)}`,
      `COMP_WORDS=(${words.map((word) => JSON.stringify(word)).join(" ")})`,
      `COMP_CWORD=${words.length - 1}`,
      "_slipway_completions",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
      'printf "%s\\n" "${COMPREPLY[@]}"',
    ].join("\n");
    const { stdout } = await promisify(execFile)("bash", ["-c", program]);
    return stdout.split("\n").filter(Boolean);
  }

  it("is valid bash", async () => {
    await expect(promisify(execFile)("bash", ["-n", file])).resolves.toBeDefined();
  });

  it("completes top-level commands", async () => {
    expect(await complete("slipway se")).toEqual(["services", "secrets"]);
  });

  it("completes subcommands, and their flags after global options", async () => {
    expect(await complete("slipway tokens ")).toEqual(expect.arrayContaining(["list", "create", "revoke"]));
    expect(await complete("slipway --url http://x tokens create --ex")).toEqual(["--expires"]);
    expect(await complete("slipway secrets set web DB --e")).toEqual(["--env"]);
  });

  it("offers the global options below the root", async () => {
    expect(await complete("slipway whoami --j")).toEqual(["--json"]);
  });

  it("offers the shell names to `completion`", async () => {
    expect(await complete("slipway completion ")).toEqual(expect.arrayContaining(["bash", "zsh", "fish"]));
  });

  it("offers nothing (so files) for a flag's value", async () => {
    expect(await complete("slipway up --data ")).toEqual([]);
  });
});
