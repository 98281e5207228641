import { describe, expect, it } from "vitest";
import { createColors } from "../output/colors.js";
import type { EnvironmentStatus } from "../run-api-schemas.js";
import { environmentDetails } from "./environment-details.js";
import { describeReplicaProblem, lastExitLabel } from "./replica-problem.js";

const plain = createColors(false);
const now = new Date("2025-01-31T14:00:00.000Z");

const leaky: EnvironmentStatus = {
  name: "staging",
  release: { version: 1 },
  url: "http://leaky.staging.localhost:7480",
  desiredReplicas: 1,
  replicas: [
    {
      id: "r-1a2b",
      state: "CrashLoopBackOff",
      restarts: 3,
      exitCode: 137,
      reason: "OOMKilled",
      oom: { limitBytes: 64 * 1024 * 1024, peakBytes: 71.3 * 1024 * 1024 },
      nextRestartAt: "2025-01-31T14:00:37.000Z",
      backoffSeconds: 40,
      lastLog: ["allocating 10 MB", "allocating 10 MB"],
    },
  ],
};

const crashy: EnvironmentStatus = {
  name: "staging",
  release: { version: 2 },
  url: "http://crashy.staging.localhost:7480",
  desiredReplicas: 2,
  replicas: [
    {
      id: "r-3c4d",
      state: "CrashLoopBackOff",
      restarts: 4,
      exitCode: 1,
      reason: "Error",
      nextRestartAt: "2025-01-31T14:02:40.000Z",
      backoffSeconds: 160,
      lastLog: ["starting", "Error: crashy exits at start"],
    },
    { id: "r-5e6f", state: "Ready", restarts: 0, exitCode: null, reason: null, lastLog: ["listening"] },
  ],
};

describe("environmentDetails", () => {
  it("says when a canary is in progress, and its share of requests", () => {
    const canarying: EnvironmentStatus = {
      name: "production",
      release: { version: 4 },
      canary: { release: 5, weight: 20 },
      url: null,
      desiredReplicas: 2,
      replicas: [],
    };
    expect(environmentDetails("web", canarying, now, plain)[0]).toBe(
      "web/production  v4  0/2 ready  canary v5 at 20%",
    );
  });

  it("says a worker has no URL rather than leaving the place blank", () => {
    const worker: EnvironmentStatus = {
      name: "staging",
      release: { version: 2 },
      kind: "worker",
      url: null,
      desiredReplicas: 1,
      replicas: [],
    };
    expect(environmentDetails("jobs", worker, now, plain)[0]).toBe(
      "jobs/staging  v2  0/1 ready  worker, no URL",
    );
  });

  it("shows an OOMKilled replica with its limit and peak, its backoff and its last log lines", () => {
    expect(environmentDetails("leaky", leaky, now, plain)).toEqual([
      "leaky/staging  v1  0/1 ready  http://leaky.staging.localhost:7480",
      "  REPLICA  STATE             RESTARTS  LAST EXIT        PROBLEM",
      "  r-1a2b   CrashLoopBackOff  3         137 (OOMKilled)  OOMKilled: memory limit 64 MiB, peak 71.3 MiB (raise resources.memory); next restart in 37s (backoff 40s)",
      "  last log lines of r-1a2b:",
      "    | allocating 10 MB",
      "    | allocating 10 MB",
    ]);
  });

  it("shows a crash-looping replica beside a ready one; only the failing one's log", () => {
    expect(environmentDetails("crashy", crashy, now, plain)).toEqual([
      "crashy/staging  v2  1/2 ready  http://crashy.staging.localhost:7480",
      "  REPLICA  STATE             RESTARTS  LAST EXIT  PROBLEM",
      "  r-3c4d   CrashLoopBackOff  4         1 (Error)  exited with code 1; next restart in 160s (backoff 160s)",
      "  r-5e6f   Ready             0         -",
      "  last log lines of r-3c4d:",
      "    | starting",
      "    | Error: crashy exits at start",
    ]);
  });

  it("prints nothing for an environment that never had a release", () => {
    expect(
      environmentDetails("web", { name: "production", release: null, replicas: [] }, now, plain),
    ).toEqual([]);
  });

  it("says so when a released environment runs no replicas (scaled to 0)", () => {
    expect(
      environmentDetails(
        "web",
        { name: "staging", release: { version: 3 }, replicas: [], desiredReplicas: 0 },
        now,
        plain,
      ),
    ).toEqual(["web/staging  v3  0/0 ready", "  no replicas running"]);
  });
});

describe("environmentDetails with an app's control characters", () => {
  it("shows them in the last log lines rather than sending them to the terminal", () => {
    const replica = { ...(leaky.replicas ?? [])[0], lastLog: ["\x1b]0;PWNED\x07\x1b[2Jfake: all good"] };
    const lines = environmentDetails(
      "leaky",
      { ...leaky, replicas: [replica] } as EnvironmentStatus,
      now,
      plain,
    );
    expect(lines.at(-1)).toBe("    | \\x1b]0;PWNED\\x07\\x1b[2Jfake: all good");
  });
});

describe("describeReplicaProblem", () => {
  it("reads liveness kills, restarts that are due, and OOM kills without figures", () => {
    const base = { id: "r", restarts: 1, exitCode: 137 };
    expect(describeReplicaProblem({ ...base, state: "Running", reason: "LivenessFailed" }, now)).toBe(
      "killed after failing its liveness probe",
    );
    // The platform's own account, when it gave one: a replica that never listened had no liveness probe.
    expect(
      describeReplicaProblem(
        {
          ...base,
          state: "Running",
          reason: "LivenessFailed",
          exitMessage: "did not listen on $PORT within 60 s",
        },
        now,
      ),
    ).toBe("killed: did not listen on $PORT within 60 s");
    expect(
      describeReplicaProblem(
        {
          ...base,
          state: "CrashLoopBackOff",
          reason: "OOMKilled",
          nextRestartAt: "2025-01-31T13:59:59.000Z",
        },
        now,
      ),
    ).toBe("OOMKilled: over its memory limit; restarting now");
    expect(describeReplicaProblem({ ...base, state: "Ready", exitCode: null, reason: null }, now)).toBe("");
  });

  it("says why a running replica is not ready, from its readiness probe", () => {
    expect(
      describeReplicaProblem(
        {
          id: "r",
          state: "Running",
          exitCode: null,
          reason: null,
          readinessFailure: "GET /healthz: HTTP 500",
        },
        now,
      ),
    ).toBe("not ready: GET /healthz: HTTP 500");
    expect(
      describeReplicaProblem(
        { id: "r", state: "Running", exitCode: null, reason: null, readinessFailure: "command: \x1b[2Jok" },
        now,
      ),
    ).toBe("not ready: command: \\x1b[2Jok");
  });

  it("says why a replica that never ran failed, where it has no exit code to show", () => {
    const env: EnvironmentStatus = {
      name: "staging",
      release: { version: 1 },
      url: null,
      desiredReplicas: 1,
      replicas: [
        {
          id: "r-9",
          state: "CrashLoopBackOff",
          restarts: 2,
          exitCode: null,
          reason: "Error",
          exitMessage: 'replica "r-9": working directory /data/releases/web/v1/app does not exist',
          lastLog: [],
        },
      ],
    };
    const [, , row] = environmentDetails("web", env, now, plain);
    expect(row).toContain('replica "r-9": working directory /data/releases/web/v1/app does not exist;');
  });

  it("labels the last exit", () => {
    expect(lastExitLabel({ id: "r", state: "Ready", exitCode: null, reason: null })).toBe("-");
    expect(lastExitLabel({ id: "r", state: "Exited", exitCode: 0, reason: "Completed" })).toBe(
      "0 (Completed)",
    );
  });
});
