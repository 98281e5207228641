import { setTimeout } from "node:timers/promises";
import type { Command } from "commander";
import { z } from "zod";
import { apiPath } from "../api-path.js";
import { CliError } from "../cli-error.js";
import type { ActionFactory } from "../command-action.js";
import { ExitCode } from "../exit-codes.js";
import type { ApiClient } from "../http-client.js";
import { ApiError, UnreachableError } from "../http-errors.js";
import { LiveProgress } from "../output/live-progress.js";

const downResponse = z.object({ stopping: z.literal(true) });

/** How long `down` waits for the platform to stop: past the replicas' grace period (30 s), with room. */
export const DOWN_TIMEOUT_MS = 120_000;

/**
 * `slipway down`: stops every replica, then the platform, and returns once it has stopped, so that
 * `slipway down && slipway up` works. Ctrl-C (or SIGTERM) of `slipway up` stops only the platform:
 * replicas keep serving until the next `up` adopts them.
 */
export function registerDownCommand(program: Command, action: ActionFactory): void {
  program
    .command("down")
    .description("stop every replica, then the platform (Ctrl-C of `slipway up` leaves replicas serving)")
    .action(
      action(async (ctx) => {
        const client = await ctx.client();
        await client.send("POST", apiPath("platform", "down"), downResponse);
        const progress = new LiveProgress({
          write: (line) => (ctx.output.json ? undefined : ctx.output.line(line)),
          spinnerStream: ctx.io.stderr as NodeJS.WriteStream,
          spinner: ctx.spinnerAllowed(),
        });
        progress.line("stopping every replica, then the platform…");
        progress.waitingFor("stopping replicas");
        try {
          await waitUntilStopped(client);
        } finally {
          progress.stop();
        }
        if (ctx.output.json) {
          ctx.output.data({ stopping: true, stopped: true });
          return;
        }
        ctx.output.line("stopped");
      }),
    );
}

/** Options of {@link waitUntilStopped}. */
export interface WaitUntilStoppedOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls the server's `/healthz` until nothing answers there any more. The server stops its
 * replicas first and closes its API last, so by then everything has stopped. Past `timeoutMs`
 * (default {@link DOWN_TIMEOUT_MS}) it gives up with exit 1: the platform may still be stopping.
 */
export async function waitUntilStopped(
  client: ApiClient,
  options: WaitUntilStoppedOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DOWN_TIMEOUT_MS;
  const endsAt = Date.now() + timeoutMs;
  while (await stillAnswers(client, Math.min(5000, timeoutMs))) {
    if (Date.now() >= endsAt) {
      throw new CliError(
        `Slipway at ${client.baseUrl} still answers ${Math.round(timeoutMs / 1000)}s after it was asked to stop`,
        {
          hint: "it may still be stopping replicas: `slipway status` shows what runs; stopping `slipway up` (Ctrl-C, SIGTERM) ends the platform",
          exitCode: ExitCode.failure,
        },
      );
    }
    await setTimeout(options.intervalMs ?? 250);
  }
}

/**
 * Whether the platform still answers: any answer of its own counts, even 503 while it closes;
 * a refused connection does not, nor a proxy's 502 or 504 in front of a platform that is gone.
 * A request that times out is not proof it has gone.
 */
async function stillAnswers(client: ApiClient, timeoutMs: number): Promise<boolean> {
  try {
    await client.request("GET", "/healthz", { auth: false, quiet: true, timeoutMs });
    return true;
  } catch (error) {
    if (error instanceof UnreachableError) {
      return error.reason === "timeout";
    }
    if (error instanceof ApiError) {
      return error.status !== 502 && error.status !== 504;
    }
    throw error;
  }
}
