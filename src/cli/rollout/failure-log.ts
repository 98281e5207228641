import { apiPath } from "../api-path.js";
import type { ApiClient } from "../http-client.js";
import { type Deployment, logListResponse } from "../run-api-schemas.js";
import { LAST_LOG_LINES } from "./rollout-outcome.js";

/**
 * The failing replica's last log lines: those the server attached to the deployment, else the
 * newest lines of that replica (or of the release) from the logs API. Best effort: none on error.
 */
export async function failureLastLog(
  client: ApiClient,
  service: string,
  deployment: Deployment,
): Promise<string[]> {
  const attached = deployment.failure?.lastLog ?? [];
  if (attached.length > 0) {
    return attached;
  }
  const replica = deployment.failure?.replica ?? undefined;
  try {
    const { lines } = await client.get(apiPath("services", service, "logs"), logListResponse, {
      query: { environment: deployment.environment, replica, limit: 200 },
      quiet: true,
    });
    const ofRelease = lines.filter(
      (line) =>
        deployment.release === null ||
        deployment.release === undefined ||
        line.release === deployment.release,
    );
    return ofRelease.slice(-LAST_LOG_LINES).map((line) => line.line);
  } catch {
    return [];
  }
}
