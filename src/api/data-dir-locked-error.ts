// Apart from the lock itself, so the CLI can recognise this error without loading node:sqlite.

/** Who holds a data directory, as written in its lock file. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  /** Set once it has begun to shut down: a new platform waits for it instead of refusing. */
  stopping?: boolean;
}

/** A second platform on the same data directory: names who holds it and what to do. */
export class DataDirLockedError extends Error {
  readonly holder: LockHolder | undefined;

  constructor(home: string, holder: LockHolder | undefined) {
    const who = holder ? `(pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}) ` : "";
    super(
      `Another Slipway platform ${who}is using the data directory ${home}: two would supervise the same replicas. Stop it first (Ctrl-C, or \`slipway down\` to stop its replicas too), or pass another --data.`,
    );
    this.name = "DataDirLockedError";
    this.holder = holder;
  }
}
