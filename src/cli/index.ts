// The CLI's public face: nothing else in Slipway imports the CLI, but tests and embedders may run it.
export type { CliIo } from "./cli-io.js";
export { ExitCode, type ExitCodeValue } from "./exit-codes.js";
export { runCli } from "./run-cli.js";
