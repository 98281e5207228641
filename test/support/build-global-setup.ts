import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Compiles src/ to dist/ once before the suite, so the end-to-end tests spawn the real
 * `bin/slipway.js` built from the current code. A compile error fails the whole run, with the
 * compiler's output, rather than letting tests run a stale build.
 */
export default async function setup(): Promise<void> {
  const tsc = join(root, "node_modules", ".bin", "tsc");
  try {
    await run(tsc, ["-p", "tsconfig.build.json"], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    const compilerOutput = `${failure.stdout ?? ""}${failure.stderr ?? ""}`.trim();
    throw new Error(
      `build failed: \`tsc -p tsconfig.build.json\` did not compile src/ to dist/\n${compilerOutput || failure.message}`,
    );
  }
}
