import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliRun,
  type CliSandbox,
  type DeployFixture,
  runBinary,
  startDeployFixture,
} from "./support/slipway-cli.js";

// End to end: an app that prints terminal escape sequences (set the window title, clear the
// screen, colour a fake message) cannot act on the operator's terminal through `slipway`: the
// build log, the deploy failure, `status` and `logs` show them as `\x1b`; --json keeps them exact.

const ESC = "\x1b";
/** What the app prints: an OSC title, a clear screen and red text, a tab, and a C1 control. */
const hostile = `${ESC}]0;PWNED-TITLE\x07${ESC}[2J${ESC}[31mfake: all good${ESC}[0m\tend \u009b`;
const shown = "\\x1b]0;PWNED-TITLE\\x07\\x1b[2J\\x1b[31mfake: all good\\x1b[0m\tend \\u009b";

const server = `console.log(${JSON.stringify(hostile)});\nprocess.exit(1);\n`;

const spec = [
  "service: esc",
  String.raw`build: printf '\033[2Jbuilt\n'`,
  "start: node server.js",
  "replicas: 1",
  "health:",
  "  readiness:",
  "    tcp: true",
  "    period: 200ms",
  "deploy:",
  "  readyTimeout: 10s",
  "environments:",
  "  staging: {}",
  "",
].join("\n");

let fixture: DeployFixture | undefined;
let cli: CliSandbox;
let appDir: string;
let deployed: CliRun;

function slipway(args: string[]): Promise<CliRun> {
  return runBinary(args, { env: cli.env, cwd: appDir, timeoutMs: 60_000 });
}

beforeAll(async () => {
  fixture = await startDeployFixture();
  ({ cli } = fixture);
  appDir = join(cli.dir, "esc");
  await mkdir(appDir);
  await writeFile(join(appDir, "server.js"), server);
  await writeFile(join(appDir, "slipway.yaml"), spec);
  deployed = await slipway(["deploy"]);
}, 90_000);
afterAll(async () => {
  await fixture?.close();
});

describe("an app's control characters", () => {
  it("are shown, not obeyed, in the build log and the deploy failure", () => {
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(1);
    expect(deployed.stdout).toMatch(/^ {2}build \| \\x1b\[2Jbuilt$/m);
    expect(deployed.stderr).toContain(`  | ${shown}\n`);
    expect(deployed.stdout + deployed.stderr).not.toContain(ESC);
  });

  it("are shown, not obeyed, in status's last log lines", async () => {
    let status: CliRun | undefined;
    for (let attempt = 0; attempt < 50; attempt += 1) {
      status = await slipway(["status", "esc"]);
      if (status.stdout.includes("last log lines")) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status?.stdout).toContain(`    | ${shown}\n`);
    expect(status?.stdout).not.toContain(ESC);
    const json = JSON.parse((await slipway(["status", "esc", "--json"])).stdout);
    expect(JSON.stringify(json)).toContain(JSON.stringify(hostile).slice(1, -1));
  });

  it("are shown in logs, and kept exact with --json", async () => {
    const human = await slipway(["logs", "esc", "--grep", "fake"]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/ stdout \\x1b\]0;PWNED-TITLE\\x07/);
    expect(human.stdout).toContain(`${shown}\n`);
    expect(human.stdout).not.toContain(ESC);
    const json = await slipway(["logs", "esc", "--grep", "fake", "--limit", "1", "--json"]);
    expect(JSON.parse(json.stdout.trim()).line).toBe(hostile);
  });
});
