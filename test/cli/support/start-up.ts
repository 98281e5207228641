import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { type CliSandbox, nodeBinary, slipwayBinary } from "./slipway-cli.js";

/** A `slipway up` running as a child process, its banner printed. */
export interface StartedUp {
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed on stdout up to the end of its banner. */
  banner: string;
  /** The API's URL, from the banner. */
  url: string;
  exited: Promise<number | null>;
}

/** Starts `slipway up` on `dataDir` (free ports, silent logs) and resolves once its banner is complete. */
export function startUp(cli: CliSandbox, dataDir: string, extra: string[] = []): Promise<StartedUp> {
  const child = spawn(
    nodeBinary,
    [
      slipwayBinary,
      "up",
      "--port",
      "0",
      "--router-port",
      "0",
      "--data",
      dataDir,
      "--log-level",
      "silent",
      ...extra,
    ],
    { env: cli.env, cwd: cli.dir },
  );
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("Press Ctrl-C to stop")) {
        const url = stdout.match(/Slipway is running at (\S+)/)?.[1] ?? "";
        resolve({ child, banner: stdout, url, exited });
      }
    });
    void exited.then((code) => reject(new Error(`slipway up exited early (${code}): ${stdout}${stderr}`)));
  });
}
