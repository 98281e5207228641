// The workload runtime: the only module other capabilities import from src/runtime.
export type { CgroupSupport } from "./cgroups/cgroup-support.js";
export * from "./health/index.js";
export { LineSplitter, MAX_LINE_BYTES, type SplitLine } from "./logs/line-splitter.js";
export { DEFAULT_LOG_ROTATION, type LogRecord, type LogRotation } from "./logs/log-files.js";
export { type FollowQuery, followLogRecords, type LogQuery, readLogRecords } from "./logs/log-reader.js";
export { RotatingLogWriter } from "./logs/rotating-log-writer.js";
export { isSameProcess, processStartTime } from "./proc/proc-stat.js";
export { signalProcessTree } from "./proc/signal-tree.js";
export {
  createProcessRuntime,
  ProcessRuntime,
  type ProcessRuntimeOptions,
  type WorkCgroups,
} from "./process/process-runtime.js";
export { findSetpriv, shellAs, shellInCgroupsAs } from "./process/run-as.js";
export {
  type LastTermination,
  type ReplicaPhase,
  type ReplicaStatus,
  ReplicaSupervisor,
  type ReplicaSupervisorOptions,
  type SupervisorEvent,
  type TerminationReason,
} from "./replica-supervisor.js";
export {
  type BackoffPolicy,
  backoffDelay,
  backoffSchedule,
  KUBERNETES_BACKOFF,
  planRestart,
  type RestartPlan,
  type RunRecord,
} from "./restart-policy.js";
export type * from "./runtime.js";
export { RuntimeError, type RuntimeErrorCode } from "./runtime-error.js";
