import type { ExecAs } from "../cgroups/join-then-exec.js";
import type { ReplicaCgroups } from "../cgroups/replica-cgroup.js";
import type { LogRotation } from "../logs/log-files.js";

/** How the memory limit of a replica is enforced by its shim. */
export type ShimMemoryEnforcement = "cgroup-v1" | "cgroup-v2" | "rss-watchdog" | "unlimited";

/**
 * Everything a shim needs to run one replica. The driver writes it to the shim's stdin (never
 * to disk: `env` holds decrypted secrets) and closes the pipe.
 */
export interface ShimConfig {
  replicaId: string;
  command: string;
  cwd: string;
  /** The replica's complete environment, PORT included. */
  env: Record<string, string>;
  logDir: string;
  logRotation: LogRotation;
  cgroups: ReplicaCgroups;
  memoryLimitBytes?: number;
  memoryEnforcement: ShimMemoryEnforcement;
  /** How often the shim samples memory (watchdog) or the OOM counter (cgroups); ~100 ms. */
  watchdogIntervalMs: number;
  /** After the main process ends (not on a stop), how long the rest of its processes get. */
  leftoverGraceMs: number;
  /** Drop to this user (with `setpriv`, after joining the cgroups as root) before the command. */
  runAs?: ExecAs;
}
