/**
 * Kubernetes' CrashLoopBackOff, as a pure function of a replica's run history: the plan of
 * when to restart is data, computed and tested apart from the timers that carry it out.
 */

/** The timings of the backoff; Kubernetes' values by default. */
export interface BackoffPolicy {
  /** Delay before the first restart. */
  initialDelayMs: number;
  /** The delay doubles per crash up to this cap. */
  maxDelayMs: number;
  /** A run at least this long resets the backoff to the initial delay. */
  resetAfterMs: number;
}

/** Kubernetes: 10 s, doubling, capped at 5 min, reset after 10 min of running. */
export const KUBERNETES_BACKOFF: BackoffPolicy = {
  initialDelayMs: 10_000,
  maxDelayMs: 300_000,
  resetAfterMs: 600_000,
};

/** One run of a replica, in epoch milliseconds. */
export interface RunRecord {
  startedAt: number;
  endedAt: number;
}

/** When to restart, and why that long. */
export interface RestartPlan {
  delayMs: number;
  /** Epoch ms at which to start again. */
  restartAt: number;
  /** How many short runs in a row this delay accounts for (1 after a long run). */
  crashStreak: number;
}

/**
 * Plans the restart after the last run of `history` (oldest first). The streak counts the
 * runs, newest first, back to and including the last run that lasted `resetAfterMs` or more:
 * a replica that served for 10 minutes and then crashed starts over at the initial delay.
 *
 * @example
 * planRestart([{ startedAt: 0, endedAt: 1000 }], 1000).delayMs // 10_000
 */
export function planRestart(
  history: readonly RunRecord[],
  now: number,
  policy: BackoffPolicy = KUBERNETES_BACKOFF,
): RestartPlan {
  let crashStreak = 0;
  for (let index = history.length - 1; index >= 0; index--) {
    const run = history[index];
    crashStreak++;
    if (run === undefined || run.endedAt - run.startedAt >= policy.resetAfterMs) {
      break;
    }
  }
  const delayMs = backoffDelay(Math.max(1, crashStreak), policy);
  return { delayMs, restartAt: now + delayMs, crashStreak: Math.max(1, crashStreak) };
}

/** The delay after the n-th crash in a row (n >= 1): initial × 2^(n-1), capped. */
export function backoffDelay(crashStreak: number, policy: BackoffPolicy = KUBERNETES_BACKOFF): number {
  // Past 2^20 the cap has long been reached; stop doubling before the number overflows.
  const doublings = Math.min(Math.max(0, crashStreak - 1), 20);
  return Math.min(policy.initialDelayMs * 2 ** doublings, policy.maxDelayMs);
}

/** The first `count` delays of a crash loop: what `slipway status` can show as the schedule. */
export function backoffSchedule(count: number, policy: BackoffPolicy = KUBERNETES_BACKOFF): number[] {
  return Array.from({ length: count }, (_, index) => backoffDelay(index + 1, policy));
}
