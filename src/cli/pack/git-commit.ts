import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * The commit checked out in `dir` (full SHA), recorded with the release; undefined outside a git
 * work tree or without git. The upload is the working tree as it is, committed or not.
 */
export async function currentCommit(dir: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("git", ["rev-parse", "--verify", "--quiet", "HEAD"], {
      cwd: dir,
      timeout: 5000,
    });
    const sha = stdout.trim();
    return /^[0-9a-f]{40,64}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}
