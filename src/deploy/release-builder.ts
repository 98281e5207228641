import { spawn } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import {
  findSetpriv,
  LineSplitter,
  type LogRecord,
  RotatingLogWriter,
  type RunAs,
  shellInCgroupsAs,
  type WorkCgroups,
} from "../runtime/index.js";
import type { ServiceSpec } from "../spec/index.js";
import { buildProcessFile, forgetBuildProcess, recordBuildProcess } from "./build-process.js";
import { copySealed, giveTree, lockAsRoot, removeAsRoot, sealTree } from "./tree-ownership.js";
import { killUserProcesses } from "./workload-users.js";

export interface BuildInput {
  /** The uploaded tar.gz of the source tree. */
  archive: string;
  appDir: string;
  logDir: string;
  spec: ServiceSpec;
  /** Environment for the build command: the spec's env on a minimal base, never the platform's. */
  baseEnv: Record<string, string>;
  timeoutMs: number;
  /** Default {@link UNPACK_LIMITS}. */
  unpackLimits?: UnpackLimits;
  /** Build as this user (the platform is root), in a tree given to it and sealed afterwards. */
  runAs?: RunAs;
  /**
   * Cgroups the build command runs in (its processes capped as a replica's are); removed, with
   * whatever the build left running, when it ends.
   */
  cgroups?: WorkCgroups;
}

/** How much an uploaded source tree may unpack to: a small upload can expand a thousandfold. */
export interface UnpackLimits {
  bytes: number;
  entries: number;
}

/**
 * Far above a source tree (dependencies are installed by the build, not uploaded), far below
 * what fills a disk: Heroku caps a built slug at 500 MB.
 */
export const UNPACK_LIMITS: UnpackLimits = { bytes: 2 * 1024 ** 3, entries: 200_000 };

export type BuildOutcome = { ok: true } | { ok: false; reason: string; lastLines: string[] };

/** Keeps the last lines of the build, for the failure message. */
const tailLength = 20;

/**
 * Unpacks the source into a fresh directory and runs the spec's build command there, writing its
 * output line by line (with timestamps) to rotating log files that the API streams live.
 */
export async function buildRelease(input: BuildInput): Promise<BuildOutcome> {
  const log = new RotatingLogWriter(input.logDir);
  const tail: string[] = [];
  const note = (line: string, stream: LogRecord["stream"] = "stdout") => {
    log.write([{ at: new Date().toISOString(), stream, line }]);
    tail.push(line);
    if (tail.length > tailLength) {
      tail.shift();
    }
  };
  const build = input.spec.build;
  // A build as a user of its own works in a directory only that user can enter, never in the
  // release itself: no other workload can open a file there (and keep it open past the seal)
  // or play with the paths root later walks. The release gets a copy of the result.
  const workspace =
    input.runAs !== undefined && build !== undefined ? buildWorkspace(input.appDir) : undefined;
  const tree = workspace?.app ?? input.appDir;
  try {
    if (input.runAs !== undefined) {
      killUserProcesses(input.runAs);
    }
    await removeAsRoot(buildWorkspace(input.appDir).dir);
    await rm(input.appDir, { recursive: true, force: true });
    await mkdir(tree, { recursive: true, mode: 0o700 });
    note("slipway: unpacking the source");
    await unpackSource(input.archive, tree, input.unpackLimits ?? UNPACK_LIMITS);
    if (!build) {
      if (input.runAs !== undefined) {
        // Files as uploaded may be private to their owner (0600): every environment's user reads them.
        await sealTree(input.appDir);
      }
      note("slipway: no build command in slipway.yaml; the source runs as uploaded");
      return { ok: true };
    }
    note(`slipway: running ${build.command} in ${build.workdir}`);
    if (workspace !== undefined && input.runAs !== undefined) {
      await mkdir(workspace.home, { mode: 0o700 });
      // Bottom up, ending with the workspace itself: the user can enter only once all is its own.
      await giveTree(workspace.dir, input.runAs);
    }
    const code = await runBuildCommand(
      build.command,
      join(tree, build.workdir),
      input,
      note,
      workspace?.home,
    );
    // What the build left running in its cgroups ends with it, isolated or not (already under
    // way since the command exited: this waits for it).
    await input.cgroups?.remove();
    if (workspace !== undefined && input.runAs !== undefined) {
      // Anything else its user runs (outside the cgroups, or without any) ends too; then the
      // workspace is root's alone, so nothing can change it while it is copied and removed.
      killUserProcesses(input.runAs);
      await lockAsRoot(workspace.dir);
      if (code === 0) {
        await copySealed(workspace.app, input.appDir);
      }
      await removeAsRoot(workspace.dir);
    }
    if (code === 0) {
      note("slipway: build succeeded");
      return { ok: true };
    }
    const reason =
      code === null
        ? `the build timed out after ${Math.round(input.timeoutMs / 1000)} s`
        : `the build exited with code ${code}`;
    note(`slipway: ${reason}`, "stderr");
    await removeFailedTree(input.appDir);
    return { ok: false, reason, lastLines: [...tail] };
  } catch (error) {
    const reason = `could not unpack or build: ${error instanceof Error ? error.message : String(error)}`;
    note(`slipway: ${reason}`, "stderr");
    if (input.runAs !== undefined) {
      killUserProcesses(input.runAs);
    }
    await removeAsRoot(buildWorkspace(input.appDir).dir).catch(() => undefined);
    await removeFailedTree(input.appDir);
    return { ok: false, reason, lastLines: [...tail] };
  } finally {
    await input.cgroups?.remove().catch(() => undefined);
    log.close();
  }
}

/** Where an isolated build works: beside the release's app directory, never inside it. */
export function buildWorkspace(appDir: string): { dir: string; app: string; home: string } {
  const dir = join(dirname(appDir), "build");
  return { dir, app: join(dir, "app"), home: join(dir, "home") };
}

/**
 * Unpacks the archive into appDir. tar refuses absolute paths, `..` entries and links that lead
 * out, so an archive cannot write outside appDir; past the limits the read stops at once rather
 * than decompressing the rest of a gzip bomb.
 */
async function unpackSource(archive: string, appDir: string, limits: UnpackLimits): Promise<void> {
  let bytes = 0;
  let entries = 0;
  let refused: string | undefined;
  const source = createReadStream(archive);
  const extract = tar.x({
    cwd: appDir,
    strict: true,
    preserveOwner: false,
    filter: (_path, entry) => {
      bytes += entry.size ?? 0;
      entries += 1;
      if (refused === undefined && (bytes > limits.bytes || entries > limits.entries)) {
        refused =
          entries > limits.entries
            ? `the source holds more than ${limits.entries} files`
            : `the source unpacks to more than ${formatBytes(limits.bytes)}`;
        source.destroy(new Error(refused));
      }
      return refused === undefined;
    },
  });
  try {
    await pipeline(source, extract);
  } catch (error) {
    if (refused !== undefined) {
      throw new Error(
        `${refused}; add build output and installed dependencies to .gitignore (or .slipwayignore): the build makes them on the server`,
      );
    }
    throw error;
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** A failed build's tree is never run, and may be most of a disk (a bomb stopped at the limit). */
async function removeFailedTree(appDir: string): Promise<void> {
  await rm(appDir, { recursive: true, force: true }).catch(() => {
    // Left for retention to find: the failure itself is what the user needs to see.
  });
}

function runBuildCommand(
  command: string,
  cwd: string,
  input: BuildInput,
  note: (line: string, stream: LogRecord["stream"]) => void,
  buildHome: string | undefined,
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const { runAs } = input;
    const setpriv = runAs === undefined ? undefined : findSetpriv();
    // The command is the user's own build step from their slipway.yaml, run as they wrote it,
    // inside the build's cgroups; as its own user, it is setpriv that runs the shell (no way
    // back to root through setuid).
    const [file, args] = shellInCgroupsAs(command, input.cgroups?.procsFiles ?? [], runAs, setpriv);
    const child = spawn(file, args, {
      cwd,
      env: {
        ...input.baseEnv,
        ...(runAs === undefined || buildHome === undefined ? {} : { HOME: buildHome, TMPDIR: buildHome }),
        ...input.spec.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const noted = buildProcessFile(dirname(input.appDir));
    if (child.pid !== undefined) {
      recordBuildProcess(noted, child.pid);
    }
    const pipe = (stream: "stdout" | "stderr") => {
      const splitter = new LineSplitter();
      child[stream].on("data", (chunk: Buffer) => {
        for (const piece of splitter.push(chunk)) {
          note(piece.line, stream);
        }
      });
      child[stream].on("end", () => {
        for (const piece of splitter.end()) {
          note(piece.line, stream);
        }
      });
    };
    pipe("stdout");
    pipe("stderr");
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) {
        process.kill(-child.pid, "SIGKILL");
      }
    }, input.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      forgetBuildProcess(noted);
      reject(error);
    });
    // The build is over when its command is: in cgroups, what it left in the background (and
    // holding its output open) ends with it, as a CI job's leftover processes do.
    child.on("exit", () => {
      input.cgroups?.remove().catch(() => undefined);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      forgetBuildProcess(noted);
      resolve(timedOut ? null : (code ?? 1));
    });
  });
}
