import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { connect, createServer } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const hooks = fileURLToPath(new URL("./resolve-ts-sources.ts", import.meta.url));

/** A child process that printed where it listens. */
export interface StartedProcess {
  child: ChildProcess;
  /** The first line it printed (a port or a URL). */
  announced: string;
  stop(): Promise<void>;
}

/**
 * Runs a TypeScript file of this repository in its own Node process (same Node as the bench,
 * with the source resolver), and waits for the first line it prints.
 */
export async function startTsProcess(file: URL, args: string[] = []): Promise<StartedProcess> {
  const child = spawn(process.execPath, ["--import", hooks, fileURLToPath(file), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`${fileURLToPath(file)} exited with code ${code} before it was ready`);
  });
  const [announced] = (await Promise.race([once(lines, "line"), exited])) as [string];
  exited.catch(() => undefined);
  return {
    child,
    announced,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await once(child, "exit");
      }
    },
  };
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") {
    throw new Error("could not find a free port");
  }
  return address.port;
}

/** Polls until something accepts connections on the port, or the process dies. */
export async function waitForPort(port: number, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`${name} exited with code ${child.exitCode} before listening`);
    }
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${name} did not listen on 127.0.0.1:${port} within 10 s`);
}
