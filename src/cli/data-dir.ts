import { join, resolve } from "node:path";
import type { CliIo } from "./cli-io.js";

/** The platform's data directory: `--data`, else SLIPWAY_HOME, else ~/.slipway. */
export function dataDirectory(io: CliIo, option: string | undefined): string {
  return resolve(io.cwd, option ?? (io.env.SLIPWAY_HOME || join(io.homeDir, ".slipway")));
}
