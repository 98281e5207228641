import { apiPath } from "../api-path.js";
import type { ApiClient } from "../http-client.js";
import { formatBytes } from "../output/human-size.js";
import type { LiveProgress } from "../output/live-progress.js";
import type { Output } from "../output/output.js";
import { currentCommit } from "../pack/git-commit.js";
import { packSource } from "../pack/pack-source.js";
import { releaseUploadResponse } from "../run-api-schemas.js";

/** An upload takes as long as it takes on a slow link; the server caps its size (256 MiB). */
const UPLOAD_TIMEOUT_MS = 15 * 60_000;

/** What the server answered to an upload. */
export type UploadedRelease = ReturnType<typeof releaseUploadResponse.parse>;

/**
 * Packs the working tree in `dir` and streams it to POST /services/:name/releases, asking for a
 * deployment to `environment` once it is built. Links that leave the tree are reported, not sent.
 */
export async function uploadRelease(
  client: ApiClient,
  options: {
    service: string;
    /** The absolute directory to pack. */
    dir: string;
    environment: string;
    progress: LiveProgress;
    output: Output;
  },
): Promise<UploadedRelease> {
  const root = options.dir;
  const packed = await packSource(root);
  for (const link of packed.files.skippedLinks) {
    options.output.warn(`not uploading ${link}: it is a link to outside the directory`);
  }
  const commit = await currentCommit(root);
  const count = packed.files.paths.length;
  options.progress.waitingFor(
    `uploading ${count} ${count === 1 ? "file" : "files"} (${formatBytes(packed.files.bytes)})`,
  );
  const uploaded = await client.send(
    "POST",
    apiPath("services", options.service, "releases"),
    releaseUploadResponse,
    {
      query: { deploy: options.environment, commit },
      stream: { body: packed.archive, contentType: "application/gzip" },
      timeoutMs: UPLOAD_TIMEOUT_MS,
      quiet: true,
    },
  );
  options.progress.line(
    `uploaded ${count} ${count === 1 ? "file" : "files"} (${formatBytes(packed.archiveBytes())} packed)${commit ? ` at commit ${commit.slice(0, 7)}` : ""}: release v${uploaded.release.version}`,
  );
  return uploaded;
}
