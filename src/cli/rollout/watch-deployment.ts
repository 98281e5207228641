import { setTimeout } from "node:timers/promises";
import { apiPath } from "../api-path.js";
import { type EventRecord, eventListResponse } from "../api-schemas.js";
import { followEvents } from "../event-stream.js";
import type { ApiClient } from "../http-client.js";
import { UnreachableError } from "../http-errors.js";
import { type Deployment, deploymentResponse, FINISHED_DEPLOYMENT_STATUSES } from "../run-api-schemas.js";
import type { Deadline } from "./deadline.js";
import { belongsToRollout, endsRollout, type RolloutTarget } from "./progress-line.js";

/** Longest single long-poll of GET /deployments/:id/wait. */
const WAIT_SLICE_SECONDS = 60;
/** How long the final events may lag behind the deployment's end before the feed is closed. */
const FINAL_EVENTS_GRACE_MS = 2000;
/** How long the platform may stay unreachable (restarting) before the wait gives up. */
export const UNREACHABLE_PATIENCE_MS = 60_000;

/** Options of {@link watchDeployment}. */
export interface WatchDeploymentOptions {
  target: RolloutTarget;
  /** Replay the feed from after this event (taken before the rollout began), so no step is missed. */
  afterEventSeq: string | undefined;
  deadline: Deadline;
  /** Receives this rollout's events as they happen. */
  onEvent: (event: EventRecord) => void;
  /** Told when the live feed fails; the wait itself goes on without it. */
  onFeedError?: (error: unknown) => void;
  /** Told each time the platform cannot be reached while waiting (it is retried for a minute). */
  onUnreachable?: () => void;
}

/** A watched deployment: `finished` is false when the deadline came first. */
export interface WatchedDeployment {
  deployment: Deployment;
  finished: boolean;
}

/**
 * Waits for a deployment to finish, showing its steps from the live event feed. The feed is for
 * people; whether and how it ended comes from GET /deployments/:id/wait, which cannot miss it.
 */
export async function watchDeployment(
  client: ApiClient,
  options: WatchDeploymentOptions,
): Promise<WatchedDeployment> {
  const { target } = options;
  const feed = new AbortController();
  let sawEnd: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    sawEnd = resolve;
  });
  const following = followEvents(client, {
    query: { service: target.service },
    after: options.afterEventSeq,
    signal: feed.signal,
    onEvent: (event) => {
      if (belongsToRollout(event, target)) {
        options.onEvent(event);
      }
      if (endsRollout(event, target)) {
        sawEnd();
      }
    },
  }).catch((error: unknown) => options.onFeedError?.(error));
  try {
    const watched = await pollUntilFinished(
      client,
      target.deploymentId,
      options.deadline,
      options.onUnreachable,
    );
    if (watched.finished) {
      await Promise.race([ended, following, setTimeout(FINAL_EVENTS_GRACE_MS)]);
    }
    return watched;
  } finally {
    feed.abort();
    await following;
  }
}

async function pollUntilFinished(
  client: ApiClient,
  id: string,
  deadline: Deadline,
  onUnreachable: (() => void) | undefined,
): Promise<WatchedDeployment> {
  const path = apiPath("deployments", id, "wait");
  let unreachableSince: number | undefined;
  for (;;) {
    const seconds = Math.min(WAIT_SLICE_SECONDS, Math.ceil(deadline.remainingMs() / 1000));
    const started = Date.now();
    let deployment: Deployment;
    try {
      ({ deployment } = await client.get(path, deploymentResponse, {
        query: { timeout: `${Math.max(1, seconds)}s` },
        timeoutMs: (Math.max(1, seconds) + 15) * 1000,
        quiet: true,
      }));
      unreachableSince = undefined;
    } catch (error) {
      // The platform restarting mid-rollout (an upgrade, a crash it recovers from) is not the
      // end of the deployment: keep asking for a while, as `logs -f` and `events -f` reconnect.
      unreachableSince ??= Date.now();
      if (
        !(error instanceof UnreachableError) ||
        Date.now() - unreachableSince > UNREACHABLE_PATIENCE_MS ||
        deadline.expired()
      ) {
        throw error;
      }
      onUnreachable?.();
      await setTimeout(Math.min(1000, deadline.remainingMs()));
      continue;
    }
    if (FINISHED_DEPLOYMENT_STATUSES.has(deployment.status)) {
      return { deployment, finished: true };
    }
    if (deadline.expired()) {
      return { deployment, finished: false };
    }
    // A server that answers at once instead of holding the request must not be hammered.
    if (Date.now() - started < 500) {
      await setTimeout(Math.min(1000, deadline.remainingMs()));
    }
  }
}

/** The newest event's sequence number: following from there misses nothing that happens next. */
export async function latestEventSeq(client: ApiClient): Promise<string | undefined> {
  const { events } = await client.get("/api/v1/events", eventListResponse, {
    query: { limit: 1 },
    quiet: true,
  });
  const newest = events.at(-1);
  return newest === undefined ? undefined : String(newest.seq);
}
