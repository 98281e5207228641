import { setTimeout } from "node:timers/promises";
import { apiPath } from "../api-path.js";
import type { ApiClient } from "../http-client.js";
import { type Deployment, deploymentResponse, releaseDetailResponse } from "../run-api-schemas.js";
import type { Deadline } from "./deadline.js";

const POLL_MS = 300;

/**
 * The deployment the server started for a freshly built release (`?deploy=ENV` on upload). It
 * starts right after the build, so it is polled for briefly; undefined if the deadline comes first.
 */
export async function releaseDeployment(
  client: ApiClient,
  options: { service: string; version: number; deadline: Deadline },
): Promise<Deployment | undefined> {
  const releasePath = apiPath("services", options.service, "releases", String(options.version));
  while (!options.deadline.expired()) {
    const { release } = await client.get(releasePath, releaseDetailResponse, { quiet: true });
    if (release.deployment) {
      const { deployment } = await client.get(
        apiPath("deployments", release.deployment.id),
        deploymentResponse,
        {
          quiet: true,
        },
      );
      return deployment;
    }
    await setTimeout(Math.min(POLL_MS, options.deadline.remainingMs()));
  }
  return undefined;
}
