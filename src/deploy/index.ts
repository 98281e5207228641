export {
  type ControllerLogger,
  DeployConflict,
  DeployController,
  type DeployControllerOptions,
  type DeploymentKind,
} from "./deploy-controller.js";
export type { LiveReplica, Publish, TimelineEvent } from "./live-replica.js";
export { buildLogDir, releaseAppDir, replicaLogDir, runtimeStateDir } from "./paths.js";
export { ReleaseService } from "./release-service.js";
export { createReplicaMetrics } from "./replica-metrics.js";
export { applyRetention, defaultRetention, type RetentionPolicy } from "./retention.js";
export { planRollingUpdate, type RollingPlan, type RolloutStep } from "./rolling-plan.js";
export { defaultHost } from "./route-table.js";
export { type IsolationMode, type WorkloadUsers, workloadUsers } from "./workload-users.js";
