import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packApp } from "./apps.js";
import { type clientFor, viaRouter } from "./platform-client.js";
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
  "build: node -e \"require('fs').writeFileSync('built.txt', String(process.getuid()))\"",
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
      for (let i = 0; i < 100; i++) {
        const production = (await client.status("snoop")).environments.find((e) => e.name === "production");
        if (production?.replicas.some((r) => r.ready)) {
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
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
      const { readFileSync } = await import("node:fs");
      const buildUid = Number(readFileSync(join(app, "built.txt"), "utf8"));
      expect(buildUid).toBeGreaterThanOrEqual(2_000_000_000);
      expect(buildUid).not.toBe((await snoop("staging")).uid);
      expect(readdirSync(join(run.home, "releases", "snoop", "v1"))).not.toContain("build-home");
      expect(statSync(run.home).mode & 0o777).toBe(0o711);
    });
  },
);
