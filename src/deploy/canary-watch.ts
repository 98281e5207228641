import type { ResponseCounts } from "../router/index.js";
import { CANARY_MIN_REQUESTS } from "../spec/index.js";
import type { LiveReplica } from "./live-replica.js";
import { RolloutFailed } from "./rollout-failed.js";

export interface CanaryWatch {
  /** The new release's replicas in rotation. */
  replicas: LiveReplica[];
  step: { ms: number; weight: number };
  /** `v5`, as the router labels it. */
  release: string;
  /** `deploy.canary.maxErrorRate`: 100 turns the check off. */
  maxErrorRate: number;
  /** The release's responses through the router so far. */
  responses: () => ResponseCounts | Promise<ResponseCounts>;
  /** Why the rollout must stop now (the platform shuts down, a rollback aborts it), if it must. */
  stopReason: () => string | undefined;
  /** A replica's last log lines, for the failure report. */
  tail: (replica: LiveReplica) => Promise<string[]>;
}

const checkEveryMs = 100;
const responsesEveryMs = 500;
/** How long an unready replica that has not exited is given before it is blamed for it. */
const unreadyGraceMs = 500;

/**
 * Holds a canary step for its pause, throwing {@link RolloutFailed} (and so backing the canary
 * out) the moment one of the new replicas exits or stays unready, or the new release answers
 * more 5xx than `maxErrorRate` allows.
 */
export async function watchCanary(watch: CanaryWatch): Promise<void> {
  const { replicas, step } = watch;
  const until = Date.now() + step.ms;
  const exitsBefore = new Map(replicas.map((r) => [r.id, r.exits]));
  const exited = (r: LiveReplica) => r.exits > (exitsBefore.get(r.id) ?? 0);
  let before = await Promise.resolve(watch.responses()).catch(() => ({ total: 0, serverErrors: 0 }));
  let checkedAt = Date.now();
  let unreadySince: number | undefined;
  for (;;) {
    const stop = watch.stopReason();
    if (stop !== undefined) {
      throw new RolloutFailed({ reason: stop });
    }
    const finalCheck = Date.now() >= until;
    if (watch.maxErrorRate < 100 && (finalCheck || Date.now() - checkedAt >= responsesEveryMs)) {
      checkedAt = Date.now();
      // The router thread restarting (its watchdog) answers nothing for a moment, and counts
      // from zero after: the check skips that round, and judges from the new counts on.
      const now = await Promise.resolve(watch.responses()).catch(() => undefined);
      if (now !== undefined && now.total < before.total) {
        before = { total: 0, serverErrors: 0 };
      }
      if (now !== undefined) {
        checkErrorRate(watch, before, now);
      }
    }
    const sick = replicas.find((r) => exited(r) || !r.ready);
    // A replica that just died reads unready a moment before its exit is recorded: the exit
    // says more, so an unready one is only blamed once it has stayed so without exiting.
    if (sick === undefined) {
      unreadySince = undefined;
    } else if (!exited(sick) && unreadySince === undefined && !finalCheck) {
      unreadySince = Date.now();
    } else if (exited(sick) || finalCheck || Date.now() - (unreadySince ?? 0) >= unreadyGraceMs) {
      throw await sickReplica(watch, sick, exited(sick));
    }
    if (finalCheck) {
      return;
    }
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Math.min(checkEveryMs, until - Date.now()))),
    );
  }
}

function checkErrorRate(watch: CanaryWatch, before: ResponseCounts, now: ResponseCounts): void {
  const total = now.total - before.total;
  const errors = now.serverErrors - before.serverErrors;
  if (total >= CANARY_MIN_REQUESTS && errors * 100 > watch.maxErrorRate * total) {
    throw new RolloutFailed({
      reason: `canary ${watch.release} answered ${errors} of ${total} requests with 5xx at the ${watch.step.weight}% step, more than deploy.canary.maxErrorRate (${watch.maxErrorRate}%)`,
    });
  }
}

async function sickReplica(watch: CanaryWatch, sick: LiveReplica, exited: boolean): Promise<RolloutFailed> {
  const exit = sick.lastExit;
  const failure = sick.supervisor.status().readinessFailure;
  const what =
    exited && exit
      ? `exited with code ${exit.code ?? "?"} (${exit.reason})`
      : `stopped being ready${failure ? `: ${sick.mask(failure)}` : ""}`;
  return new RolloutFailed({
    reason: `canary replica ${sick.id} ${what} at the ${watch.step.weight}% step`,
    replica: sick.id,
    ...(exit ? { exitCode: exit.code, exitReason: exit.reason } : {}),
    lastLog: sick.lastLog.length > 0 ? sick.lastLog : await watch.tail(sick),
  });
}
