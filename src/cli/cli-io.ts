import type { InputStream } from "./terminal-input.js";

/** A stream the CLI writes to; `isTTY` decides colours and spinners. */
export type OutputStream = NodeJS.WritableStream & { isTTY?: boolean };

/** The process the CLI runs in, passed in so tests can run commands in-process. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: InputStream;
  env: NodeJS.ProcessEnv;
  homeDir: string;
  cwd: string;
}
