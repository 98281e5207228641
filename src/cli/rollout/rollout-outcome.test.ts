import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import type { Deployment } from "../run-api-schemas.js";
import { buildFailure, LAST_LOG_LINES, rolloutFailure, successLine } from "./rollout-outcome.js";

const base: Deployment = {
  id: "dep-7",
  environment: "staging",
  release: 4,
  status: "succeeded",
  kind: "deploy",
  reason: null,
};

describe("successLine", () => {
  it("names the release, the environment and the URL", () => {
    expect(successLine(base, "web", "http://web.staging.localhost:7480")).toBe(
      "web v4 is live in staging: http://web.staging.localhost:7480",
    );
    expect(successLine({ ...base, kind: "restart" }, "web", null)).toBe("web v4 restarted in staging");
  });
});

describe("rolloutFailure", () => {
  it("says why, names the failing replica and shows its last log lines", () => {
    const error = rolloutFailure(
      {
        ...base,
        status: "rolled_back",
        reason: "replica r-9 did not become ready within 60s",
        failure: {
          reason: "replica r-9 did not become ready",
          replica: "r-9",
          exitCode: 1,
          exitReason: "Error",
          lastLog: ["booting", "Error: no DATABASE_URL"],
        },
      },
      "web",
      ["booting", "Error: no DATABASE_URL"],
    );
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(error.message).toBe(
      "the deployment of web v4 to staging failed and was rolled back: replica r-9 did not become ready within 60s",
    );
    expect(error.details).toEqual([
      "replica r-9 exited with code 1 (Error)",
      "last log lines of r-9:",
      "  | booting",
      "  | Error: no DATABASE_URL",
      "the replicas of the previous release were left serving",
    ]);
    expect(error.hint).toContain("slipway logs web --env staging");
  });

  it("says a first deploy's replicas were kept, and how to stop them", () => {
    const error = rolloutFailure(
      {
        ...base,
        status: "failed",
        reason: "replica r-1 exited",
        failure: { reason: "replica r-1 exited", keptReplicas: true },
      },
      "web",
      [],
    );
    expect(error.details.at(-1)).toBe(
      "nothing to roll back to (the first release here): its replicas stay and keep restarting, and get traffic if they become ready; deploy a fix, or `slipway scale web 0 --env staging` to stop them",
    );
  });

  it("keeps only the last lines and copes with a failure the server did not explain", () => {
    const log = Array.from({ length: 40 }, (_, index) => `line ${index}`);
    const error = rolloutFailure({ ...base, status: "failed", kind: "rollback" }, "web", log);
    expect(error.message).toBe("the rollback of web v4 to staging failed: no reason given");
    expect(error.details).toHaveLength(LAST_LOG_LINES + 1);
    expect(error.details.at(-1)).toBe("  | line 39");
  });
});

describe("rolloutFailure with an app's control characters", () => {
  it("shows them in the reason and the log lines instead of sending them to the terminal", () => {
    const error = rolloutFailure({ ...base, status: "failed", reason: "replica r-9 said \x1b[2J" }, "web", [
      "\x1b]0;PWNED\x07fake: all good\tok",
    ]);
    expect(error.message).toBe("the deployment of web v4 to staging failed: replica r-9 said \\x1b[2J");
    expect(error.details).toEqual(["last log lines:", "  | \\x1b]0;PWNED\\x07fake: all good\tok"]);
    expect(buildFailure("web", 5, "\x1b[31mred").message).toBe("the build of web v5 failed: \\x1b[31mred");
  });
});

describe("buildFailure", () => {
  it("exits 1 with the build's reason", () => {
    const error = buildFailure("web", 5, "npm ci exited with code 1");
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(error.message).toBe("the build of web v5 failed: npm ci exited with code 1");
  });
});
