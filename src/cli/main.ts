import { homedir } from "node:os";
import { runCli } from "./run-cli.js";

// The `slipway` executable (bin/slipway.js imports this file). Wiring only: all work is in runCli.

// `slipway events -f | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") {
    process.exit(0);
  }
  throw error;
});

// The exit code is set, not forced, so output is flushed and `slipway up` keeps serving.
void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  homeDir: homedir(),
  cwd: process.cwd(),
}).then((code) => {
  process.exitCode = code;
});
