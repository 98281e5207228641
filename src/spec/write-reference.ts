import { mkdir, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { renderSpecReference } from "./reference.js";

/** Where the generated slipway.yaml reference lives in the repository. */
export const SPEC_REFERENCE_PATH = "docs/slipway-yaml.md";

/** Writes the generated reference to `out` (default docs/slipway-yaml.md) and returns the path written. */
export async function writeSpecReference(out: string = SPEC_REFERENCE_PATH): Promise<string> {
  const target = resolve(out);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, renderSpecReference());
  return target;
}

// Runnable as `node dist/spec/write-reference.js [out]`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const written = await writeSpecReference(process.argv[2]);
  console.log(`wrote ${written}`);
}
