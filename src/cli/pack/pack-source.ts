import { create } from "tar";
import { CliError } from "../cli-error.js";
import { listSourceFiles, type SourceFiles } from "./source-files.js";

/** A working tree on its way to the server as a gzipped tar archive. */
export interface PackedSource {
  files: SourceFiles;
  /** The archive, produced as it is read: never held whole in memory. */
  archive: AsyncIterable<Uint8Array>;
  /** Bytes of the archive produced so far (all of it once `archive` is drained). */
  archiveBytes(): number;
}

/**
 * Packs the files {@link listSourceFiles} picks in `root` as a tar.gz stream: paths relative to
 * the root, symbolic links as links, no owner names or ids (they mean nothing on the server).
 *
 * @example const packed = await packSource("./my-service"); await fetch(url, { body: ReadableStream.from(packed.archive), duplex: "half" });
 */
export async function packSource(root: string): Promise<PackedSource> {
  const files = await listSourceFiles(root);
  if (files.paths.length === 0) {
    throw new CliError(`nothing to upload: ${root} has no files that are not ignored`, {
      hint: "check .gitignore and .slipwayignore there",
    });
  }
  const pack = create(
    { gzip: true, cwd: root, portable: true, noDirRecurse: true, follow: false },
    // node-tar reads a leading "@" as "append this archive": spell such names as ./@name.
    files.paths.map((path) => (path.startsWith("@") ? `./${path}` : path)),
  );
  let bytes = 0;
  async function* counted(): AsyncGenerator<Uint8Array> {
    for await (const chunk of pack) {
      bytes += chunk.length;
      yield chunk;
    }
  }
  return { files, archive: counted(), archiveBytes: () => bytes };
}
