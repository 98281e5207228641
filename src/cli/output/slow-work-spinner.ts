import { createSpinner } from "nanospinner";

/** Time after which work counts as slow and shows a spinner. */
export const SLOW_WORK_MS = 1000;

/** Wraps a promise, showing progress while it runs. */
export type TrackWork = <T>(label: string, work: Promise<T>) => Promise<T>;

/**
 * A tracker that shows a spinner on `stream` (stderr) for work taking longer than `delayMs`,
 * and nothing for quick work or when disabled (not a TTY, or `--json`).
 */
export function slowWorkSpinner(
  stream: NodeJS.WriteStream,
  enabled: boolean,
  delayMs = SLOW_WORK_MS,
): TrackWork {
  if (!enabled) {
    return (_label, work) => work;
  }
  return async (label, work) => {
    const spinner = createSpinner(`${label}…`, { stream });
    const timer = setTimeout(() => spinner.start(), delayMs);
    try {
      return await work;
    } finally {
      clearTimeout(timer);
      if (spinner.isSpinning()) {
        // stop() without text clears the spinner's line and shows the cursor again.
        spinner.stop();
      }
    }
  };
}
