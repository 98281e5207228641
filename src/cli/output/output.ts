import { type Colors, createColors } from "./colors.js";
import { renderTable } from "./table.js";

/** Where a command writes, and how. */
export interface OutputOptions {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Machine output: commands print one JSON document to stdout instead of text. */
  json: boolean;
  color: boolean;
}

/**
 * Everything a command prints goes through here: results to stdout (text or JSON), notes and
 * warnings to stderr so that piping stdout stays clean.
 */
export class Output {
  readonly json: boolean;
  readonly colors: Colors;
  readonly #stdout: NodeJS.WritableStream;
  readonly #stderr: NodeJS.WritableStream;

  constructor(options: OutputOptions) {
    this.json = options.json;
    this.colors = createColors(options.color);
    this.#stdout = options.stdout;
    this.#stderr = options.stderr;
  }

  /** A line of the result on stdout. */
  line(text = ""): void {
    this.#stdout.write(`${text}\n`);
  }

  /** The whole result as JSON on stdout (used in --json mode). */
  data(value: unknown): void {
    this.#stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON value per line (for streams such as `events -f --json`). */
  jsonLine(value: unknown): void {
    this.#stdout.write(`${JSON.stringify(value)}\n`);
  }

  /** A table on stdout, or `empty` when there are no rows. */
  table(header: string[], rows: string[][], empty: string): void {
    if (rows.length === 0) {
      this.line(empty);
      return;
    }
    this.line(renderTable(header, rows, this.colors));
  }

  /** A note for the person at the terminal (stderr), e.g. how to continue. */
  note(text: string): void {
    this.#stderr.write(`${text}\n`);
  }

  /** `warning: ...` on stderr. */
  warn(text: string): void {
    this.#stderr.write(`${this.colors.yellow("warning:")} ${text}\n`);
  }

  /** Raw text on stderr (rendered errors, debug traces). */
  stderrText(text: string): void {
    this.#stderr.write(text);
  }
}
