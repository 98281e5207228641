import { join } from "node:path";

/** Where a release's files live in the data dir: kept per release so a rollback needs no rebuild. */
export function releaseDir(home: string, service: string, version: number): string {
  return join(home, "releases", service, `v${version}`);
}

/** The unpacked (and built) source tree of a release: replicas run here. */
export function releaseAppDir(home: string, service: string, version: number): string {
  return join(releaseDir(home, service, version), "app");
}

export function buildLogDir(home: string, service: string, version: number): string {
  return join(releaseDir(home, service, version), "build-log");
}

/** One directory per replica; restarts append to it, so its history reads as one log. */
export function replicaLogDir(home: string, service: string, environment: string, replicaId: string): string {
  return join(home, "logs", service, environment, replicaId);
}

export function runtimeStateDir(home: string): string {
  return join(home, "runtime");
}
