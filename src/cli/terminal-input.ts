import { CliError } from "./cli-error.js";
import { ExitCode } from "./exit-codes.js";

/** The standard input the CLI reads secrets and tokens from. */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

/** How much piped input a secret or token may be: far more than any real one. */
export const MAX_PIPED_INPUT_BYTES = 1024 * 1024;

/**
 * Reads everything piped to stdin, as UTF-8, up to `limit` bytes. One trailing newline is removed
 * (what `echo` and most editors add); anything else is kept exactly.
 */
export async function readPipedInput(stdin: InputStream, limit = MAX_PIPED_INPUT_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > limit) {
      throw new CliError(`the input on stdin is larger than ${limit} bytes`, {
        hint: "pipe only the value itself",
      });
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/**
 * Asks for a value on the terminal without echoing it (tokens, secrets). The prompt goes to
 * stderr. Ctrl-C cancels with {@link ExitCode.interrupted}; Ctrl-D or Enter ends the input.
 */
export function promptHidden(
  question: string,
  stdin: InputStream,
  stderr: NodeJS.WritableStream,
): Promise<string> {
  const setRawMode = stdin.setRawMode?.bind(stdin);
  if (!setRawMode) {
    return Promise.reject(
      new CliError("cannot prompt: stdin is not a terminal", { hint: "pipe the value on stdin" }),
    );
  }
  stderr.write(question);
  setRawMode(true);
  stdin.setEncoding("utf8");
  stdin.resume();
  return new Promise((resolve, reject) => {
    let value = "";
    const finish = (outcome: () => void) => {
      stdin.off("data", onData);
      setRawMode(false);
      stdin.pause();
      stderr.write("\n");
      outcome();
    };
    const onData = (chunk: string | Buffer) => {
      for (const char of String(chunk)) {
        if (char === "\u0003") {
          finish(() => reject(new CliError("cancelled", { exitCode: ExitCode.interrupted })));
          return;
        }
        if (char === "\r" || char === "\n" || char === "\u0004") {
          finish(() => resolve(value));
          return;
        }
        if (char === "\u007f" || char === "\b") {
          value = [...value].slice(0, -1).join("");
        } else {
          value += char;
        }
      }
    };
    stdin.on("data", onData);
  });
}

/**
 * The value for a token or secret: piped stdin when there is one, else a hidden prompt on a TTY.
 * An empty value is an error naming `what`.
 */
export async function readValueFromUser(
  what: string,
  io: { stdin: InputStream; stderr: NodeJS.WritableStream },
  usageHint: string,
): Promise<string> {
  const value = io.stdin.isTTY
    ? await promptHidden(`${what} (input hidden): `, io.stdin, io.stderr)
    : await readPipedInput(io.stdin);
  if (value === "") {
    throw new CliError(`no ${what} given`, { hint: usageHint, exitCode: ExitCode.usage });
  }
  return value;
}
