import { readdirSync, readFileSync, statSync } from "node:fs";
import { chmod, copyFile, link, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packApp, packDir } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
import { processesWith } from "./processes.js";
import { startRunPlatform, type TestRunPlatform } from "./run-platform.js";

/** Answers with what it can reach: the platform's files, another replica's environment, its own home. */
const snoopSource = (home: string) => `
const fs = require("node:fs");
const http = require("node:http");
const attempt = (what) => { try { what(); return "read"; } catch (error) { return error.code; } };
http.createServer((req, res) => {
  const other = Number(new URL(req.url, "http://x").searchParams.get("pid"));
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({
    uid: process.getuid(),
    pid: process.pid,
    key: attempt(() => fs.readFileSync(${JSON.stringify(join(home, "secret.key"))})),
    db: attempt(() => fs.readFileSync(${JSON.stringify(join(home, "slipway.db"))})),
    dataDir: attempt(() => fs.readdirSync(${JSON.stringify(home)})),
    otherEnviron: other ? attempt(() => fs.readFileSync("/proc/" + other + "/environ")) : "none",
    ownRelease: attempt(() => fs.writeFileSync("planted.js", "x")),
    home: attempt(() => fs.writeFileSync(process.env.HOME + "/cache", "mine")),
    key2: process.env.API_KEY === undefined ? "unset" : "set",
  }));
}).listen(Number(process.env.PORT), "127.0.0.1");
process.on("SIGTERM", () => process.exit(0));
`;

const spec = [
  "service: snoop",
  "start: node server.js",
  "build: node -e \"const fs = require('fs'); fs.writeFileSync('built.txt', String(process.getuid())); fs.writeFileSync('workspace.txt', (fs.statSync('..').mode & 0o777).toString(8) + ' ' + fs.statSync('..').uid)\"",
  "replicas: 1",
  "secrets: [API_KEY]",
  "health:",
  "  readiness: { http: /, period: 200ms }",
  "deploy: { drainTimeout: 1s, readyTimeout: 20s }",
  "environments:",
  "  staging: {}",
  "  production: {}",
  "",
].join("\n");

interface Snooped {
  uid: number;
  pid: number;
  key: string;
  db: string;
  dataDir: string;
  otherEnviron: string;
  ownRelease: string;
  home: string;
  key2: string;
}

describe.skipIf(process.getuid?.() !== 0)(
  "replicas and builds run as users of their own (platform as root)",
  () => {
    let run: TestRunPlatform;
    let client: ReturnType<typeof clientFor>;
    const snoop = async (environment: string, otherPid?: number) => {
      const res = await viaRouter(
        run.platform.routerUrl,
        `snoop.${environment}.localhost`,
        `/?pid=${otherPid ?? ""}`,
      );
      expect(res.status, res.text).toBe(200);
      return JSON.parse(res.text) as Snooped;
    };

    beforeAll(async () => {
      run = await startRunPlatform("slipway-isolation-");
      ({ client } = run);
      await client.apply("snoop", spec);
      for (const environment of ["staging", "production"]) {
        const set = await client.call("PUT", "/api/v1/services/snoop/secrets/API_KEY", {
          value: `${environment}-key-value`,
          environment,
        });
        expect(set.status).toBe(200);
      }
      const { deployment, version } = await client.deploy(
        "snoop",
        await packApp({ "server.js": snoopSource(run.home) }),
      );
      expect(deployment?.status, JSON.stringify(deployment)).toBe("succeeded");
      const promoted = await client.call("POST", "/api/v1/services/snoop/deployments", {
        environment: "production",
        release: version,
      });
      expect(promoted.status, JSON.stringify(promoted.body)).toBeLessThan(300);
      let ready = false;
      for (let i = 0; i < 200 && !ready; i++) {
        const production = (await client.status("snoop")).environments.find((e) => e.name === "production");
        ready = production?.replicas.some((r) => r.ready) === true;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(ready, "production's replica became ready").toBe(true);
    }, 60_000);
    afterAll(() => run?.close());

    it("keeps a replica out of the platform's data directory and away from its own release's files", async () => {
      const staging = await snoop("staging");
      expect(staging.uid).toBeGreaterThanOrEqual(2_000_000_000);
      expect(staging).toMatchObject({
        key: "EACCES",
        db: "EACCES",
        dataDir: "EACCES",
        ownRelease: "EACCES",
        home: "read",
        key2: "set",
      });
    });

    it("gives staging and production users of their own, so one cannot read the other's secrets", async () => {
      const production = await snoop("production");
      const staging = await snoop("staging", production.pid);
      expect(production.uid).not.toBe(staging.uid);
      expect(staging.otherEnviron).toBe("EACCES");
    });

    it("builds as the service's build user, and leaves the release to root, readable by all", async () => {
      const app = join(run.home, "releases", "snoop", "v1", "app");
      const built = statSync(join(app, "built.txt"));
      expect(built.uid).toBe(0);
      expect(built.mode & 0o777).toBe(0o644);
      const buildUid = Number(readFileSync(join(app, "built.txt"), "utf8"));
      expect(buildUid).toBeGreaterThanOrEqual(2_000_000_000);
      expect(buildUid).not.toBe((await snoop("staging")).uid);
      // It built in a workspace only its user could enter, gone now; the release is a copy.
      expect(readFileSync(join(app, "workspace.txt"), "utf8")).toBe(`700 ${buildUid}`);
      expect(readdirSync(join(run.home, "releases", "snoop", "v1"))).not.toContain("build");
      expect(statSync(run.home).mode & 0o777).toBe(0o711);
    });

    it("seals what an upload and a build leave: no setuid bit, no writable or linked-in file, no process left", async () => {
      const source = await mkdtemp(join(tmpdir(), "slipway-setuid-"));
      await writeFile(join(source, "server.js"), snoopSource(run.home));
      // A setuid-root copy of cat, and a second name for it: the review's way to secret.key.
      await copyFile("/bin/cat", join(source, "rcat"));
      await chmod(join(source, "rcat"), 0o4755);
      await link(join(source, "rcat"), join(source, "rcat2"));
      const marker = `left-behind-${process.pid}`;
      const buildSpec = spec.replace(
        /^build: .*$/m,
        `build: "chmod 666 server.js && ln server.js linked.js && { (exec sh -c 'sleep 30' ${marker}) >/dev/null 2>&1 & }"`,
      );
      await client.apply("snoop", buildSpec);
      const { deployment, version } = await client.deploy("snoop", await packDir(source));
      expect(deployment?.status, JSON.stringify(deployment)).toBe("succeeded");
      const app = join(run.home, "releases", "snoop", `v${version}`, "app");
      for (const name of ["rcat", "rcat2", "server.js", "linked.js"]) {
        const info = statSync(join(app, name));
        expect({ name, uid: info.uid, mode: info.mode & 0o7777 }).toEqual({
          name,
          uid: 0,
          mode: name.startsWith("rcat") ? 0o755 : 0o644,
        });
      }
      // The build's background process ended with the build.
      expect(processesWith(marker)).toEqual([]);
    }, 60_000);

    it("keeps an environment named build apart from the service's builds", async () => {
      await client.apply("snoop", spec.replace("  production: {}", "  production: {}\n  build: {}"));
      const { version } = await client.deploy("snoop", await packApp({ "server.js": snoopSource(run.home) }));
      const built = Number(
        readFileSync(join(run.home, "releases", "snoop", `v${version}`, "app", "built.txt"), "utf8"),
      );
      const promoted = await client.call("POST", "/api/v1/services/snoop/deployments", {
        environment: "build",
        release: version,
      });
      expect(promoted.status).toBeLessThan(300);
      let uid: number | undefined;
      for (let i = 0; i < 100 && uid === undefined; i++) {
        const res = await viaRouter(run.platform.routerUrl, "snoop.build.localhost", "/");
        uid = res.status === 200 ? (JSON.parse(res.text) as Snooped).uid : undefined;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(uid).toBeGreaterThanOrEqual(2_000_000_000);
      expect(uid).not.toBe(built);
    }, 60_000);

    it("opens up a release built before replicas ran as users of their own", async () => {
      // As an older Slipway left it: private directories, a private file, no seal.
      const dir = join(run.home, "releases", "snoop", "v1");
      await chmod(dir, 0o700);
      await chmod(join(dir, "app", "server.js"), 0o600);
      await rm(join(dir, "sealed"));
      await run.platform.services.releases.sealReleasesBuiltBefore();
      expect(statSync(dir).mode & 0o777).toBe(0o711);
      expect(statSync(join(dir, "app", "server.js")).mode & 0o777).toBe(0o644);
      const back = await client.call<{ deployment: { id: string } }>(
        "POST",
        "/api/v1/services/snoop/rollback",
        { environment: "staging", to: 1 },
      );
      expect(back.status).toBe(202);
      const done = await client.call<{ deployment: { status: string } }>(
        "GET",
        `/api/v1/deployments/${back.body.deployment.id}/wait?timeout=60s`,
      );
      expect(done.body.deployment.status).toBe("succeeded");
    }, 60_000);

    it("ends what a command probe left running once the environment's last replica stops", async () => {
      const marker = `probe-left-${process.pid}`;
      const probed = spec
        .replace("build: ", "# build: ")
        .replace(
          "  readiness: { http: /, period: 200ms }",
          `  readiness: { command: "(setsid node -e 'setTimeout(() => {}, 300000)' ${marker} &); true", period: 200ms }`,
        );
      await client.apply("probed", probed.replace("service: snoop", "service: probed"));
      const { deployment } = await client.deploy(
        "probed",
        await packApp({ "server.js": snoopSource(run.home) }),
      );
      expect(deployment?.status).toBe("succeeded");
      // The probe's background process starts on its own time, after the probe passed.
      for (let i = 0; i < 100 && processesWith(marker).length === 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(processesWith(marker).length).toBeGreaterThan(0);
      const scaled = await client.call("POST", "/api/v1/services/probed/scale", {
        environment: "staging",
        replicas: 0,
      });
      expect(scaled.status).toBe(200);
      for (let i = 0; i < 100 && processesWith(marker).length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(processesWith(marker)).toEqual([]);
    }, 60_000);
  },
);
