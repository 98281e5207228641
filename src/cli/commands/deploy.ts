import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { ActionFactory } from "../command-action.js";
import type { CommandContext } from "../command-context.js";
import { chooseEnvironment, readValidSpec, type ValidSpecFile } from "../local-spec.js";
import type { LiveProgress } from "../output/live-progress.js";
import { putServiceSpec } from "../put-service-spec.js";
import { DEFAULT_WAIT_TIMEOUT, Deadline } from "../rollout/deadline.js";
import { releaseDeployment } from "../rollout/release-deployment.js";
import { createLiveProgress, reportRollout } from "../rollout/report-rollout.js";
import { buildFailure, type RolloutResult } from "../rollout/rollout-outcome.js";
import { uploadRelease } from "../rollout/upload-release.js";
import { waitForBuild } from "../rollout/wait-for-build.js";
import { latestEventSeq } from "../rollout/watch-deployment.js";
import { DEFAULT_SPEC_FILE } from "../spec-file.js";

interface DeployOptions {
  env?: string;
  wait: boolean;
  timeout: string;
}

/**
 * `slipway deploy [dir]`: checks and applies slipway.yaml, uploads the working tree as a new
 * release, shows its build log and its rollout live, and ends with the URL (or why it failed).
 */
export function registerDeployCommand(program: Command, action: ActionFactory): void {
  program
    .command("deploy")
    .description("build the working tree into a release and roll it out, showing progress live")
    .argument("[dir]", "the service's directory, with its slipway.yaml", ".")
    .option("--env <environment>", "the environment (default: the first in slipway.yaml)")
    .option("--no-wait", "return once the upload is accepted, without waiting for the build and rollout")
    .option("--timeout <duration>", "how long to wait for the build and the rollout", DEFAULT_WAIT_TIMEOUT)
    .action(
      action(async (ctx, command) => {
        const [dir] = command.processedArgs as [string];
        await deploy(ctx, dir, command.opts<DeployOptions>());
      }),
    );
}

/** Deploys `dir` as `slipway deploy dir` does (also used by `slipway up --deploy`). */
export async function deploy(ctx: CommandContext, dir: string, options: DeployOptions): Promise<void> {
  const deadline = await Deadline.parse(options.timeout);
  const file = dir === "." ? DEFAULT_SPEC_FILE : join(dir, DEFAULT_SPEC_FILE);
  const invalid: RolloutResult = { release: null, deployment: null, status: "invalid", url: null };
  const local = await readValidSpec(ctx, file, { ...invalid });
  if (!local) {
    return;
  }
  const service = local.spec.service;
  const environment = chooseEnvironment(local.spec, options.env, local.displayPath);
  const progress = createLiveProgress(ctx);
  try {
    await deployWithProgress(ctx, {
      ...local,
      service,
      environment,
      dir: resolve(ctx.io.cwd, dir),
      deadline,
      wait: options.wait,
      progress,
    });
  } finally {
    // Whatever happened, the spinner must not outlive the command (its timer would keep the process alive).
    progress.stop();
  }
}

async function deployWithProgress(
  ctx: CommandContext,
  plan: ValidSpecFile & {
    service: string;
    environment: string;
    dir: string;
    deadline: Deadline;
    wait: boolean;
    progress: LiveProgress;
  },
): Promise<void> {
  const { service, environment, deadline, progress } = plan;
  const client = await ctx.client();
  const { created } = await putServiceSpec(client, { name: service, ...plan });
  progress.line(`${created ? "created" : "updated"} service ${service} from ${plan.displayPath}`);
  // Taken before the upload: following the feed from here misses none of this deploy's steps.
  const afterEventSeq = await latestEventSeq(client);
  const uploaded = await uploadRelease(client, {
    service,
    dir: plan.dir,
    environment,
    progress,
    output: ctx.output,
  });
  const version = uploaded.release.version;
  if (!plan.wait) {
    progress.stop();
    printNoWait(ctx, uploaded.release, service, environment);
    return;
  }
  const build = await waitForBuild(client, {
    service,
    version,
    deadline,
    progress,
    colors: ctx.output.colors,
  });
  if (build.status !== "ready") {
    progress.stop();
    const release = { ...uploaded.release, status: build.status, reason: build.reason };
    if (ctx.output.json) {
      ctx.output.data({ release, deployment: null, status: "build_failed", url: null });
    }
    throw buildFailure(service, version, build.reason);
  }
  progress.line(`built v${version}`);
  progress.waitingFor(`starting the deployment of v${version} to ${environment}`);
  const deployment = await releaseDeployment(client, { service, version, deadline });
  if (!deployment) {
    throw deadline.timeoutError(
      `the deployment of ${service} v${version} to ${environment} to start`,
      service,
    );
  }
  await reportRollout(ctx, client, {
    service,
    deployment,
    release: { ...uploaded.release, status: "ready" },
    afterEventSeq,
    deadline,
    progress,
  });
}

function printNoWait(
  ctx: CommandContext,
  release: { version: number },
  service: string,
  environment: string,
): void {
  if (ctx.output.json) {
    ctx.output.data({ release, deployment: null, status: "building", url: null });
    return;
  }
  ctx.output.line(
    `release v${release.version} of ${service} is building; it will be deployed to ${environment} once built`,
  );
  ctx.output.note(
    `follow its build with \`slipway logs ${service} --build ${release.version}\`; \`slipway events -f --service ${service}\` shows the rollout`,
  );
}
