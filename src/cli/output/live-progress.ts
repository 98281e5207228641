import { createSpinner, type Spinner } from "nanospinner";
import { SLOW_WORK_MS } from "./slow-work-spinner.js";

/** Options of {@link LiveProgress}. */
export interface LiveProgressOptions {
  /** Where progress lines go (stdout for people, stderr under --json). */
  write: (line: string) => void;
  /** The terminal the spinner draws on (stderr). */
  spinnerStream: NodeJS.WriteStream;
  /** Spinners only on a real terminal, never under --json (see CommandContext.spinnerAllowed). */
  spinner: boolean;
  delayMs?: number;
}

/**
 * Progress of a long wait that prints lines as things happen: after `delayMs` without a new line,
 * a spinner names what is awaited; a new line clears it first, so the two never mix.
 */
export class LiveProgress {
  readonly #options: LiveProgressOptions;
  #label = "";
  #timer: NodeJS.Timeout | undefined;
  #spinner: Spinner | undefined;

  constructor(options: LiveProgressOptions) {
    this.#options = options;
  }

  /** What is being waited for now, e.g. `building v3`; shown by the spinner. */
  waitingFor(label: string): void {
    this.#label = label;
    this.#spinner?.update({ text: `${label}…` });
    this.#arm();
  }

  /** Prints one line of progress. */
  line(text: string): void {
    this.#clear();
    this.#options.write(text);
    this.#arm();
  }

  /** Removes the spinner for good (before the final result). */
  stop(): void {
    this.#label = "";
    this.#clear();
  }

  #arm(): void {
    if (!this.#options.spinner || this.#label === "" || this.#spinner) {
      return;
    }
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#spinner = createSpinner(`${this.#label}…`, { stream: this.#options.spinnerStream }).start();
    }, this.#options.delayMs ?? SLOW_WORK_MS);
    // A pending spinner must never keep the process alive.
    this.#timer.unref();
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#spinner?.isSpinning()) {
      // stop() without text clears the spinner's line.
      this.#spinner.stop();
    }
    this.#spinner = undefined;
  }
}
