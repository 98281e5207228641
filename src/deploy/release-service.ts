import { existsSync } from "node:fs";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { RotatingLogWriter, type WorkCgroups } from "../runtime/index.js";
import type { ServiceSpec } from "../spec/index.js";
import type { Release, Store } from "../store/index.js";
import { isUniqueViolation, newId, nowIso } from "../store/index.js";
import { buildProcessFile, stopRecordedBuild } from "./build-process.js";
import { type ControllerLogger, DeployConflict, type DeployController } from "./deploy-controller.js";
import type { Publish } from "./live-replica.js";
import { buildLogDir, releaseAppDir, releaseDir } from "./paths.js";
import { buildRelease, buildWorkspace } from "./release-builder.js";
import { removeAsRoot, sealTree } from "./tree-ownership.js";
import { buildUser, killUserProcesses, type WorkloadUsers } from "./workload-users.js";

/** In a release's directory: its tree was sealed for workload users (see sealTree). */
const SEALED_MARKER = "sealed";

/** How long a pushed release waits behind deployments in progress before it gives up. */
const queueLimitMs = 60 * 60_000;

export interface ReleaseServiceOptions {
  store: Store;
  home: string;
  publish: Publish;
  log: ControllerLogger;
  controller: DeployController;
  /** A build that runs longer is killed; default 30 min. */
  buildTimeoutMs?: number;
  /** The users builds run as; without, builds run as the platform's user. */
  users?: WorkloadUsers;
  /** Cgroups for one build of `service` (capping its processes); without, builds run in none. */
  buildCgroups?: (service: string, version: number) => WorkCgroups;
}

export interface CreateReleaseInput {
  serviceId: string;
  service: string;
  /** The service's current normalised spec: the release keeps a snapshot. */
  specJson: string;
  /** The uploaded archive (a temp file this service takes over). */
  archive: string;
  commit: string | null;
  actor: string | null;
  /** Deploy to this environment once the build succeeds. */
  deployTo: string | null;
  /** The deploy waits for a deployer's approval (asked for by someone who may not promote there). */
  awaitApproval?: boolean;
}

const platformEnvForBuilds = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR"];

/**
 * Turns an uploaded source tree into an immutable release: a numbered directory in the data dir,
 * built once, then deployed (and later rolled back to) without rebuilding.
 */
export class ReleaseService {
  readonly #options: ReleaseServiceOptions;
  readonly #builds = new Map<string, Promise<void>>();
  readonly #serviceBuilds = new Map<string, Promise<void>>();

  constructor(options: ReleaseServiceOptions) {
    this.#options = options;
  }

  /**
   * After a (re)start: a build is run by this process only, so one still "building" was cut off
   * by a crash or a stop. It is failed with that reason (in its build log too), where it used to
   * stay "building" forever with its deploy silently dropped.
   */
  async failInterruptedBuilds(): Promise<void> {
    const db = this.#options.store.db;
    const interrupted = await db
      .selectFrom("releases")
      .innerJoin("services", "services.id", "releases.service_id")
      .select(["releases.id as id", "releases.version as version", "services.name as service"])
      .where("releases.status", "=", "building")
      .execute();
    const reason = "interrupted: the platform stopped during the build; deploy again to build it anew";
    for (const release of interrupted) {
      await db
        .updateTable("releases")
        .set({ status: "failed", failure_reason: reason })
        .where("id", "=", release.id)
        .execute();
      // The build ran detached from the platform, so it may well have outlived it.
      stopRecordedBuild(buildProcessFile(releaseDir(this.#options.home, release.service, release.version)));
      const runAs = await this.#options.users?.runAs(buildUser(release.service));
      if (runAs !== undefined) {
        killUserProcesses(runAs);
      }
      await removeAsRoot(
        buildWorkspace(releaseAppDir(this.#options.home, release.service, release.version)).dir,
      );
      const log = new RotatingLogWriter(buildLogDir(this.#options.home, release.service, release.version));
      log.write([{ at: nowIso(), stream: "stderr", line: `slipway: ${reason}` }]);
      log.close();
      await rm(releaseAppDir(this.#options.home, release.service, release.version), {
        recursive: true,
        force: true,
      });
      await this.#options.publish({
        kind: "release.failed",
        message: `Build of ${release.service} v${release.version} ${reason}`,
        service: release.service,
        environment: "",
        data: { releaseVersion: release.version, releaseId: release.id, reason, lastLog: [] },
      });
    }
  }

  /**
   * After a (re)start with workload users: releases built before them are root's and private
   * (directories 0700, files as uploaded), so no environment's user could run them. Each ready
   * release is sealed once, as a build now seals its own; a marker says it was.
   */
  async sealReleasesBuiltBefore(): Promise<void> {
    if (this.#options.users === undefined || this.#options.users.disabledBecause !== undefined) {
      return;
    }
    const releases = await this.#options.store.db
      .selectFrom("releases")
      .innerJoin("services", "services.id", "releases.service_id")
      .select(["releases.version as version", "services.name as service"])
      .where("releases.status", "=", "ready")
      .execute();
    for (const { service, version } of releases) {
      const dir = releaseDir(this.#options.home, service, version);
      if (existsSync(join(dir, "app")) && !existsSync(join(dir, SEALED_MARKER))) {
        await this.#openPathTo(service, version);
        await sealTree(join(dir, "app"));
        await writeFile(join(dir, SEALED_MARKER), "");
      }
    }
  }

  /** A build that threw (a bug, a store that failed) must not stay "building" for ever. */
  async #failCrashedBuild(release: Release, input: CreateReleaseInput, error: unknown): Promise<void> {
    const reason = `the build could not run: ${error instanceof Error ? error.message : String(error)}`;
    const updated = await this.#options.store.db
      .updateTable("releases")
      .set({ status: "failed", failure_reason: reason })
      .where("id", "=", release.id)
      .where("status", "=", "building")
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) > 0) {
      await this.#options.publish({
        kind: "release.failed",
        message: `Build of ${input.service} v${release.version} failed: ${reason}`,
        service: input.service,
        environment: input.deployTo ?? "",
        data: { releaseVersion: release.version, releaseId: release.id, reason, lastLog: [] },
      });
    }
  }

  /** Replicas reach their release through these directories; none of them can be listed. */
  async #openPathTo(service: string, version: number): Promise<void> {
    const home = this.#options.home;
    for (const dir of [
      join(home, "releases"),
      join(home, "releases", service),
      releaseDir(home, service, version),
    ]) {
      await chmod(dir, 0o711);
    }
  }

  async #oneAtATime<T>(service: string, work: () => Promise<T>): Promise<T> {
    const before = this.#serviceBuilds.get(service) ?? Promise.resolve();
    const mine = before.then(work);
    const settled = mine.then(
      () => undefined,
      () => undefined,
    );
    this.#serviceBuilds.set(service, settled);
    try {
      return await mine;
    } finally {
      if (this.#serviceBuilds.get(service) === settled) {
        this.#serviceBuilds.delete(service);
      }
    }
  }

  /** Resolves when the release's build (and the deploy it triggers) has been handed over. */
  async waitForBuild(releaseId: string): Promise<void> {
    await this.#builds.get(releaseId);
  }

  async create(input: CreateReleaseInput): Promise<Release> {
    const release = await this.#insert(input);
    const dir = releaseDir(this.#options.home, input.service, release.version);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const archive = join(dir, "source.tar.gz");
    await rename(input.archive, archive).catch(async () => {
      // Another file system (tmp on tmpfs): copy through a stream would do; rename failing is rare enough to fail loudly.
      await rm(input.archive, { force: true });
      throw new Error("could not move the uploaded archive into the data directory");
    });
    await this.#options.publish({
      kind: "release.building",
      message: `Building ${input.service} v${release.version}${input.commit ? ` (${input.commit.slice(0, 12)})` : ""}`,
      service: input.service,
      environment: input.deployTo ?? "",
      data: { releaseVersion: release.version, releaseId: release.id, actor: input.actor },
    });
    const work = this.#build(release, input, archive).catch(async (error: unknown) => {
      this.#options.log.error({ err: error, release: release.id }, "release build crashed");
      await this.#failCrashedBuild(release, input, error).catch(() => undefined);
    });
    this.#builds.set(release.id, work);
    work.finally(() => this.#builds.delete(release.id));
    return release;
  }

  async #insert(input: CreateReleaseInput): Promise<Release> {
    for (let attempt = 0; ; attempt++) {
      const db = this.#options.store.db;
      const last = await db
        .selectFrom("releases")
        .select((eb) => eb.fn.max("version").as("version"))
        .where("service_id", "=", input.serviceId)
        .executeTakeFirst();
      const version = Number(last?.version ?? 0) + 1;
      const release: Release = {
        id: newId("rel"),
        service_id: input.serviceId,
        version,
        commit_sha: input.commit,
        spec_json: input.specJson,
        status: "building",
        failure_reason: null,
        artifact: releaseAppDir(this.#options.home, input.service, version),
        created_by: input.actor,
        created_at: nowIso(),
      };
      try {
        await db.insertInto("releases").values(release).execute();
        return release;
      } catch (error) {
        // Two uploads raced for the same version number: take the next one.
        if (!isUniqueViolation(error) || attempt >= 5) {
          throw error;
        }
      }
    }
  }

  async #build(release: Release, input: CreateReleaseInput, archive: string): Promise<void> {
    const spec = JSON.parse(input.specJson) as ServiceSpec;
    const baseEnv = Object.fromEntries(
      platformEnvForBuilds.flatMap((name) =>
        process.env[name] === undefined ? [] : [[name, process.env[name] as string]],
      ),
    );
    const runAs = await this.#options.users?.runAs(buildUser(input.service));
    if (runAs !== undefined) {
      await this.#openPathTo(input.service, release.version);
    }
    // One build of a service at a time: they share the service's build user, whose leftover
    // processes each build ends before it begins.
    const outcome = await this.#oneAtATime(input.service, () =>
      buildRelease({
        archive,
        appDir: releaseAppDir(this.#options.home, input.service, release.version),
        logDir: buildLogDir(this.#options.home, input.service, release.version),
        spec,
        baseEnv,
        timeoutMs: this.#options.buildTimeoutMs ?? 30 * 60_000,
        ...(runAs === undefined ? {} : { runAs }),
        ...(this.#options.buildCgroups === undefined
          ? {}
          : { cgroups: this.#options.buildCgroups(input.service, release.version) }),
      }),
    );
    if (outcome.ok && runAs !== undefined) {
      await writeFile(
        join(releaseDir(this.#options.home, input.service, release.version), SEALED_MARKER),
        "",
      );
    }
    const db = this.#options.store.db;
    if (!outcome.ok) {
      await db
        .updateTable("releases")
        .set({ status: "failed", failure_reason: outcome.reason })
        .where("id", "=", release.id)
        .execute();
      await this.#options.publish({
        kind: "release.failed",
        message: `Build of ${input.service} v${release.version} failed: ${outcome.reason}`,
        service: input.service,
        environment: input.deployTo ?? "",
        data: {
          releaseVersion: release.version,
          releaseId: release.id,
          reason: outcome.reason,
          lastLog: outcome.lastLines,
        },
      });
      return;
    }
    await db.updateTable("releases").set({ status: "ready" }).where("id", "=", release.id).execute();
    await this.#options.publish({
      kind: "release.ready",
      message: `${input.service} v${release.version} is built`,
      service: input.service,
      environment: input.deployTo ?? "",
      data: { releaseVersion: release.version, releaseId: release.id },
    });
    if (input.deployTo) {
      const ready = { ...release, status: "ready" };
      try {
        if (input.awaitApproval) {
          await this.#options.controller.requestApproval({
            service: input.service,
            environment: input.deployTo,
            release: ready,
            actor: input.actor,
            kind: "deploy",
          });
        } else {
          await this.#deployWhenFree(input.service, input.deployTo, ready, input.actor);
        }
      } catch (error) {
        await this.#options.publish({
          kind: "deployment.failed",
          message: `Could not deploy ${input.service} v${release.version} to ${input.deployTo}: ${error instanceof Error ? error.message : String(error)}`,
          service: input.service,
          environment: input.deployTo,
          data: {
            releaseVersion: release.version,
            reason: error instanceof Error ? error.message : String(error),
          },
        });
      }
    }
  }

  /**
   * Deploys a freshly built release, queued behind a deployment that is still running there (as
   * builds pushed one after the other go out one after the other): the newest push is never
   * dropped, and `slipway deploy` sees its deployment start once the one before has finished.
   */
  async #deployWhenFree(service: string, environment: string, release: Release, actor: string | null) {
    let announced = false;
    const giveUpAt = Date.now() + queueLimitMs;
    for (;;) {
      try {
        return await this.#options.controller.deploy({
          service,
          environment,
          release,
          actor,
          kind: "deploy",
        });
      } catch (error) {
        if (
          !(error instanceof DeployConflict) ||
          error.busyEnvironmentId === undefined ||
          Date.now() > giveUpAt
        ) {
          throw error;
        }
        if (!announced) {
          announced = true;
          await this.#options.publish({
            kind: "deployment.queued",
            message: `${service} v${release.version} waits for the deployment in progress to ${environment} to finish`,
            service,
            environment,
            data: { releaseVersion: release.version, releaseId: release.id },
          });
        }
        await this.#options.controller.whenIdle(error.busyEnvironmentId);
        // A deployment recorded but not yet running here (another process) has no promise to
        // await: poll gently instead of spinning.
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}
