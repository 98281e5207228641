/** Why a rollout failed, with what the failing replica said last. */
export interface RolloutFailure {
  reason: string;
  replica?: string;
  exitCode?: number | null;
  exitReason?: string;
  lastLog?: string[];
}

/** Thrown by a rollout step: the rollout stops there and rolls back. */
export class RolloutFailed extends Error {
  constructor(readonly failure: RolloutFailure) {
    super(failure.reason);
  }
}
