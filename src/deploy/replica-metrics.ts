import { Gauge, Registry } from "prom-client";
import type { LiveReplica } from "./live-replica.js";

const labelNames = ["service", "environment", "release", "replica"] as const;

export interface ReplicaMetrics {
  contentType: string;
  /** Samples every live replica and renders the Prometheus text exposition. */
  metrics(): Promise<string>;
}

/**
 * Per-replica resource metrics in Prometheus' format, sampled when scraped (as cAdvisor and the
 * kubelet do): CPU seconds, resident memory, restarts, uptime and readiness.
 */
export function createReplicaMetrics(replicas: () => LiveReplica[]): ReplicaMetrics {
  const registry = new Registry();
  const cpu = new Gauge({
    name: "slipway_replica_cpu_seconds_total",
    help: "CPU time (user + system) used by all processes of the replica since it started.",
    labelNames,
    registers: [registry],
  });
  const rss = new Gauge({
    name: "slipway_replica_memory_rss_bytes",
    help: "Resident memory of all processes of the replica.",
    labelNames,
    registers: [registry],
  });
  const uptime = new Gauge({
    name: "slipway_replica_uptime_seconds",
    help: "Seconds since the replica's current run started.",
    labelNames,
    registers: [registry],
  });
  const restarts = new Gauge({
    name: "slipway_replica_restarts_total",
    help: "Times the replica was restarted after exiting or failing liveness.",
    labelNames,
    registers: [registry],
  });
  const ready = new Gauge({
    name: "slipway_replica_ready",
    help: "1 when the replica passes its readiness probe and may get traffic, else 0.",
    labelNames,
    registers: [registry],
  });
  async function sample(): Promise<void> {
    for (const gauge of [cpu, rss, uptime, restarts, ready]) {
      gauge.reset();
    }
    await Promise.all(
      replicas().map(async (replica) => {
        const labels = {
          service: replica.service,
          environment: replica.environment,
          release: `v${replica.releaseVersion}`,
          replica: replica.id,
        };
        const status = replica.supervisor.status();
        ready.set(labels, status.ready ? 1 : 0);
        restarts.set(labels, status.restarts);
        const stats = await replica.supervisor.stats().catch(() => undefined);
        if (stats) {
          cpu.set(labels, stats.cpuSeconds);
          rss.set(labels, stats.rssBytes);
          uptime.set(labels, stats.uptimeSeconds);
        }
      }),
    );
  }
  return {
    contentType: registry.contentType,
    // Sampled first, then serialised: prom-client reads all metrics at once, so a collect()
    // hook on one of them could not fill the others in time.
    async metrics() {
      await sample();
      return registry.metrics();
    },
  };
}
