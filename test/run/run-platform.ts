import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningPlatform, startPlatform } from "../../src/api/index.js";
import { clientFor } from "./platform-client.js";

/** A real platform for one test file, on a data directory of its own. */
export interface TestRunPlatform {
  home: string;
  platform: RunningPlatform;
  /** Its API as the admin. */
  client: ReturnType<typeof clientFor>;
  /** Stops it with every replica it started, and deletes its data directory. */
  close(): Promise<void>;
}

/** Starts a platform on free ports, silent, whose close stops its replicas: a test leaves nothing running. */
export async function startRunPlatform(prefix: string): Promise<TestRunPlatform> {
  const home = await mkdtemp(join(tmpdir(), prefix));
  const platform = await startPlatform({
    home,
    port: 0,
    routerPort: 0,
    logLevel: "silent",
    stopReplicasOnClose: true,
  });
  return {
    home,
    platform,
    client: clientFor(platform),
    close: async () => {
      await platform.close();
      await rm(home, { recursive: true, force: true });
    },
  };
}
