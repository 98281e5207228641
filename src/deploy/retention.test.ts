import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { describeEachEngine } from "../../test/support/store-engines.js";
import { nowIso } from "../store/index.js";
import { releaseDir, replicaLogDir } from "./paths.js";
import { applyRetention } from "./retention.js";

describeEachEngine("retention of old releases and logs", (getStore) => {
  let home: string;
  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), "slipway-retention-"));
  });
  afterEach(() => rm(home, { recursive: true, force: true }));

  async function seed(): Promise<void> {
    const { db } = getStore();
    const at = nowIso();
    await db
      .insertInto("services")
      .values({ id: "svc_1", name: "api", spec_json: "{}", spec_source: "", created_at: at, updated_at: at })
      .execute();
    await db
      .insertInto("environments")
      .values({
        id: "env_1",
        service_id: "svc_1",
        name: "staging",
        position: 0,
        approval_required: 0,
        replicas_override: null,
        created_at: at,
      })
      .execute();
    for (let version = 1; version <= 14; version++) {
      await db
        .insertInto("releases")
        .values({
          id: `rel_${version}`,
          service_id: "svc_1",
          version,
          commit_sha: null,
          spec_json: "{}",
          status: "ready",
          artifact: null,
          created_by: null,
          created_at: at,
        })
        .execute();
      await mkdir(join(releaseDir(home, "api", version), "app"), { recursive: true });
    }
    // Deployed in turn: v1, then v3, then v2 (a rollback to an old release). v2 runs and v3 is
    // what `slipway rollback` goes back to: both stay however old; v1 may go.
    for (const [n, release] of [
      [1, "rel_1"],
      [2, "rel_3"],
      [3, "rel_2"],
    ] as const) {
      await db
        .insertInto("deployments")
        .values({
          id: `dep_${n}`,
          release_id: release,
          environment_id: "env_1",
          strategy: "rolling",
          status: "succeeded",
          reason: null,
          plan_json: null,
          created_by: null,
          created_at: `2026-01-0${n}T00:00:00.000Z`,
          finished_at: at,
          previous_release_id: null,
        })
        .execute();
    }
    for (let i = 0; i < 25; i++) {
      const id = `rep_${String(i).padStart(2, "0")}`;
      await db
        .insertInto("replicas")
        .values({
          id,
          deployment_id: "dep_3",
          environment_id: "env_1",
          release_id: "rel_2",
          driver: "process",
          state: "Exited",
          pid: null,
          process_start_time: null,
          port: null,
          restarts: 0,
          exit_code: 0,
          reason: "Completed",
          started_at: at,
          updated_at: `2026-01-01T00:00:${String(i).padStart(2, "0")}.000Z`,
          spec_json: null,
          last_log: null,
        })
        .execute();
      await mkdir(replicaLogDir(home, "api", "staging", id), { recursive: true });
    }
  }

  it("keeps the live release, the rollback target and the 10 newest, prunes the rest, and keeps the 20 newest ended replicas' logs", async () => {
    await seed();
    const result = await applyRetention(getStore().db, home);
    expect(result.prunedReleases.map((r) => r.version).sort((a, b) => a - b)).toEqual([1, 4]);
    expect(existsSync(releaseDir(home, "api", 1))).toBe(false);
    expect(existsSync(releaseDir(home, "api", 2))).toBe(true);
    expect(existsSync(releaseDir(home, "api", 3))).toBe(true);
    expect(existsSync(releaseDir(home, "api", 5))).toBe(true);
    const statuses = await getStore()
      .db.selectFrom("releases")
      .select(["version", "status"])
      .orderBy("version")
      .execute();
    expect(statuses.filter((r) => r.status === "pruned").map((r) => r.version)).toEqual([1, 4]);
    expect(result.removedReplicaLogs).toBe(5);
    expect(existsSync(replicaLogDir(home, "api", "staging", "rep_00"))).toBe(false);
    expect(existsSync(replicaLogDir(home, "api", "staging", "rep_24"))).toBe(true);

    const again = await applyRetention(getStore().db, home);
    expect(again).toEqual({ prunedReleases: [], removedReplicaLogs: 0 });
  });
});
