import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { apiPath } from "./api-path.js";
import { serviceWriteResponse } from "./api-schemas.js";
import { toCliError } from "./error-mapping.js";
import type { ApiClient } from "./http-client.js";
import { parseBody } from "./http-client.js";
import { ApiError } from "./http-errors.js";

/**
 * Sends a checked slipway.yaml to the server (PUT /api/v1/services/:name), as `slipway apply`
 * does; the server's line/column errors name the file as the user wrote it. Resolves to whether
 * the service was created (else updated).
 */
export async function putServiceSpec(
  client: ApiClient,
  spec: { name: string; absolutePath: string; displayPath: string },
): Promise<{ created: boolean }> {
  const source = await readFile(spec.absolutePath, "utf8");
  const path = apiPath("services", spec.name);
  try {
    const response = await client.request("PUT", path, {
      body: { source, file: basename(spec.displayPath) },
    });
    parseBody(`PUT ${path}`, serviceWriteResponse, response.body);
    return { created: response.status === 201 };
  } catch (error) {
    throw error instanceof ApiError
      ? toCliError(error, { url: client.baseUrl, file: spec.displayPath })
      : error;
  }
}
