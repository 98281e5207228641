import { Readable, Writable } from "node:stream";
import type { CliIo } from "./cli-io.js";

/** An in-memory {@link CliIo} for tests that run the CLI in-process: what it printed is in `out`/`err`. */
export interface CapturedIo extends CliIo {
  out(): string;
  err(): string;
}

/** Builds a captured IO with the given environment and stdin content (not a TTY). */
export function captureIo(
  options: { env?: NodeJS.ProcessEnv; stdin?: string; homeDir?: string; cwd?: string } = {},
): CapturedIo {
  let out = "";
  let err = "";
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        append(String(chunk));
        done();
      },
    });
  return {
    stdout: sink((text) => {
      out += text;
    }),
    stderr: sink((text) => {
      err += text;
    }),
    stdin: Readable.from(options.stdin === undefined ? [] : [options.stdin]),
    env: options.env ?? {},
    homeDir: options.homeDir ?? "/nonexistent-home",
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
