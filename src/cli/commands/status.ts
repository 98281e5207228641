import type { Command } from "commander";
import { apiPath } from "../api-path.js";
import { serviceListResponse } from "../api-schemas.js";
import type { ActionFactory } from "../command-action.js";
import type { ApiClient } from "../http-client.js";
import { type ServiceRunStatus, serviceRunStatusResponse } from "../run-api-schemas.js";
import { environmentDetails } from "../status/environment-details.js";

/**
 * `slipway status [service]`: per service and environment, the release and its replicas; then,
 * for each environment that runs something, its URL and every replica's state, restarts, last
 * exit and problem (OOMKilled with limit and peak, CrashLoopBackOff with the next restart).
 */
export function registerStatusCommand(program: Command, action: ActionFactory): void {
  program
    .command("status")
    .description("show each environment's release and replicas, for one service or all")
    .argument("[service]", "the service (default: all services)")
    .action(
      action(async (ctx, command) => {
        const [service] = command.processedArgs as [string | undefined];
        const client = await ctx.client();
        const names = service ? [service] : await allServiceNames(client);
        const statuses = await Promise.all(
          names.map((name) => client.get(apiPath("services", name, "status"), serviceRunStatusResponse)),
        );
        if (ctx.output.json) {
          ctx.output.data(service ? statuses[0] : { services: statuses });
          return;
        }
        ctx.output.table(
          ["SERVICE", "ENVIRONMENT", "RELEASE", "REPLICAS"],
          statuses.flatMap((status, index) => statusRows(names[index] ?? "", status)),
          "no services yet: run `slipway apply` in a directory with a slipway.yaml",
        );
        const now = new Date();
        for (const [index, status] of statuses.entries()) {
          for (const environment of status.environments) {
            const block = environmentDetails(names[index] ?? "", environment, now, ctx.output.colors);
            if (block.length > 0) {
              ctx.output.line();
              for (const line of block) {
                ctx.output.line(line);
              }
            }
          }
        }
      }),
    );
}

async function allServiceNames(client: ApiClient): Promise<string[]> {
  const { services } = await client.get("/api/v1/services", serviceListResponse);
  return services.map((service) => service.name);
}

/** One row per environment; a service without environments still gets a row. */
export function statusRows(name: string, status: ServiceRunStatus): string[][] {
  if (status.environments.length === 0) {
    return [[name, "-", "no release yet", "-"]];
  }
  return status.environments.map((environment) => [
    name,
    environment.name,
    environment.release ? releaseLabel(environment.release.version) : "no release yet",
    describeReplicas(environment.replicas ?? []),
  ]);
}

/** Release numbers read as `v3`; anything else is shown as the server sends it. */
function releaseLabel(version: string | number): string {
  return typeof version === "number" ? `v${version}` : version;
}

/** `3 (2 running, 1 starting)` when replicas report a state, else just the count. */
export function describeReplicas(replicas: unknown[]): string {
  if (replicas.length === 0) {
    return "0";
  }
  const counts = new Map<string, number>();
  for (const replica of replicas) {
    const state = replicaState(replica);
    if (state !== undefined) {
      counts.set(state, (counts.get(state) ?? 0) + 1);
    }
  }
  if (counts.size === 0) {
    return String(replicas.length);
  }
  const parts = [...counts].map(([state, count]) => `${count} ${state}`);
  return `${replicas.length} (${parts.join(", ")})`;
}

function replicaState(replica: unknown): string | undefined {
  if (typeof replica !== "object" || replica === null) {
    return undefined;
  }
  const record = replica as Record<string, unknown>;
  const state = record.state ?? record.status;
  return typeof state === "string" ? state : undefined;
}
