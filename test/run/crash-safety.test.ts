import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { DatabaseSync } from "node:sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { greeterSource, packApp, specFor } from "./apps.js";
import { clientFor, viaRouter } from "./platform-client.js";
import { processesWith } from "./processes.js";

const root = join(import.meta.dirname, "..", "..");
const nodeBin = join(root, "node_modules", ".bin", "node");

interface PlatformProcess {
  child: ChildProcess;
  url: string;
  routerUrl: string;
  adminToken: string | null;
}

/** Starts the built platform in a child process on `home` (dist/ is built by the test setup). */
async function startPlatformProcess(home: string): Promise<PlatformProcess> {
  const child = spawn(nodeBin, [join(import.meta.dirname, "support", "platform-process.mjs")], {
    env: { ...process.env, SLIPWAY_HOME: home },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`the platform exited with ${code}`)));
  });
  return { child, ...(JSON.parse(first) as Omit<PlatformProcess, "child">) };
}

function crash(platform: PlatformProcess): Promise<void> {
  return new Promise((resolve) => {
    platform.child.once("exit", () => resolve());
    platform.child.kill("SIGKILL");
  });
}

describe("crash safety: kill -9 of the platform loses nothing", () => {
  let home: string;
  let token: string;
  let current: PlatformProcess | undefined;
  const host = "greeter.staging.localhost";

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "slipway-crash-"));
  });
  afterAll(async () => {
    if (current) {
      // A test that failed between a crash and the restart leaves no platform: start one, so
      // the replicas are stopped all the same.
      if (current.child.exitCode !== null || current.child.signalCode !== null) {
        current = await startPlatformProcess(home);
      }
      // Stop what the last platform adopted, then the platform itself.
      const client = clientFor(current, token);
      await client
        .call("POST", "/api/v1/services/greeter/scale", { environment: "staging", replicas: 0 })
        .catch(() => undefined);
      current.child.kill("SIGTERM");
    }
    await rm(home, { recursive: true, force: true });
  });

  it("replicas keep serving through a crash and are adopted, not restarted, by the next start", async () => {
    current = await startPlatformProcess(home);
    token = current.adminToken ?? "";
    const client = clientFor(current, token);
    await client.apply("greeter", specFor("greeter"));
    const { deployment } = await client.deploy(
      "greeter",
      await packApp({ "server.js": greeterSource("hello v1"), "slipway.yaml": specFor("greeter") }),
    );
    expect(deployment?.status).toBe("succeeded");
    const before = (await client.status("greeter")).environments[0]?.replicas ?? [];
    expect(before).toHaveLength(2);

    const crashedPid = current.child.pid;
    await crash(current);
    // The platform is gone; its replicas are not, nor is the lock it could not remove.
    for (const replica of before) {
      const res = await fetch(`http://127.0.0.1:${replica.port}/`);
      expect(await res.text()).toMatch(/^hello v1/);
    }
    const lockHolder = async () => JSON.parse(await readFile(join(home, "platform.lock"), "utf8")).pid;
    expect(await lockHolder()).toBe(crashedPid);

    current = await startPlatformProcess(home);
    // The very first request is served: the router listens with the adopted replicas in its
    // table, and they keep the readiness they had, as a kubelet restart leaves a pod's alone.
    const first = await viaRouter(current.routerUrl, host);
    expect(first.status).toBe(200);
    expect(first.text).toMatch(/^hello v1/);
    expect(await lockHolder()).toBe(current.child.pid);
    expect(current.adminToken).toBeNull();
    const again = clientFor(current, token);
    const after = (await again.status("greeter")).environments[0]?.replicas ?? [];
    expect(after.map((r) => [r.id, r.pid]).sort()).toEqual(before.map((r) => [r.id, r.pid]).sort());
    const adopted = await again.call<{ events: unknown[] }>(
      "GET",
      "/api/v1/events?service=greeter&kind=replica.adopted",
    );
    expect(adopted.body.events).toHaveLength(2);
  });

  it("a deploy interrupted by a crash is marked failed and the previous release keeps serving", async () => {
    const running = current as PlatformProcess;
    const client = clientFor(running, token);
    // v2 takes 3 s to become ready, so the crash lands mid-rollout; and it ignores SIGTERM, so
    // stopping it after the restart takes the whole 30 s grace period.
    const slow = `process.on("SIGTERM", () => {}); setTimeout(() => { ${greeterSource("hello v2").replace(/process\.on\("SIGTERM".*$/m, "")} }, 3000);`;
    const upload = await fetch(`${running.url}/api/v1/services/greeter/releases?deploy=staging`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
      body: await packApp({ "server.js": slow, "slipway.yaml": specFor("greeter") }),
    });
    expect(upload.status).toBe(202);
    for (let i = 0; i < 100; i++) {
      const events = await client.call<{ events: { kind: string }[] }>(
        "GET",
        "/api/v1/events?service=greeter&kind=deployment.step",
      );
      if (
        events.body.events.length > 0 &&
        (await client.status("greeter")).environments[0]?.replicas.length === 3
      ) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await crash(running);

    // The API and the live release serve again at once: stopping the stray v2 replica (30 s, it
    // ignores SIGTERM) happens in the background.
    const restarted = Date.now();
    current = await startPlatformProcess(home);
    for (let i = 0; i < 50 && (await viaRouter(current.routerUrl, host)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await viaRouter(current.routerUrl, host)).text).toMatch(/^hello v1/);
    expect(Date.now() - restarted).toBeLessThan(15_000);
    const again = clientFor(current, token);
    const deployments = await again.call<{
      deployments: { status: string; reason: string | null; release: number }[];
    }>("GET", "/api/v1/services/greeter/deployments");
    const interrupted = deployments.body.deployments.find((d) => d.release === 2);
    expect(interrupted?.status).toBe("failed");
    expect(interrupted?.reason).toContain("interrupted");
    let status = await again.status("greeter");
    expect(status.environments[0]?.release?.version).toBe(1);
    for (let i = 0; i < 450 && status.environments[0]?.replicas.length !== 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await again.status("greeter");
    }
    expect(status.environments[0]?.replicas.map((r) => r.release)).toEqual([1, 1]);
    expect((await viaRouter(current.routerUrl, host)).text).toMatch(/^hello v1/);
  }, 90_000);

  it("stops a replica whose start a crash cut short, which the store knows only by id", async () => {
    const running = current as PlatformProcess;
    const before = (await clientFor(running, token).status("greeter")).environments[0]?.replicas ?? [];
    expect(before).toHaveLength(2);
    const [cut] = before;
    await crash(running);
    // What a crash between writing the replica's row and recording its process leaves: a row
    // without a handle, and a process the runtime started.
    const db = new DatabaseSync(join(home, "slipway.db"));
    db.prepare("UPDATE replicas SET spec_json = NULL WHERE id = ?").run(cut?.id ?? "");
    db.close();

    current = await startPlatformProcess(home);
    const client = clientFor(current, token);
    let answers = true;
    for (let i = 0; i < 100 && answers; i++) {
      answers = await fetch(`http://127.0.0.1:${cut?.port}/`).then(
        () => true,
        () => false,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(answers).toBe(false);
    const replicas = (await client.status("greeter")).environments[0]?.replicas ?? [];
    expect(replicas.map((r) => r.id)).not.toContain(cut?.id);
    expect(replicas).toHaveLength(2);
  }, 60_000);

  it("fails a build that a crash cut off, saying so, instead of leaving it building forever", async () => {
    const running = current as PlatformProcess;
    const client = clientFor(running, token);
    const marker = `crash-build-${process.pid}`;
    // Quoted: the shell reads the comment, YAML must not.
    const spec = `${specFor("builder")}build: "sleep 30 # ${marker}"\n`;
    const buildRuns = () => processesWith(marker).length > 0;
    await client.apply("builder", spec);
    const upload = await fetch(`${running.url}/api/v1/services/builder/releases?deploy=staging`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
      body: await packApp({ "server.js": greeterSource("built"), "slipway.yaml": spec }),
    });
    expect(upload.status).toBe(202);
    const { version } = ((await upload.json()) as { release: { version: number } }).release;
    const buildLog = (c: ReturnType<typeof clientFor>) =>
      c.call<{ status: string; reason: string | null; lines: { line: string }[] }>(
        "GET",
        `/api/v1/services/builder/releases/${version}/build-log`,
      );
    for (let i = 0; i < 100 && !buildRuns(); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await crash(running);
    // The build runs detached: the crash leaves it running.
    expect(buildRuns()).toBe(true);

    current = await startPlatformProcess(home);
    expect(buildRuns()).toBe(false);
    const log = (await buildLog(clientFor(current, token))).body;
    expect(log.status).toBe("failed");
    expect(log.reason).toBe(
      "interrupted: the platform stopped during the build; deploy again to build it anew",
    );
    expect(log.lines.at(-1)?.line).toBe(`slipway: ${log.reason}`);
  }, 60_000);
});
