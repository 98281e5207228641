import { describe, expect, it } from "vitest";
import type { EventRecord } from "../api-schemas.js";
import { createColors } from "../output/colors.js";
import {
  belongsToRollout,
  endsRollout,
  formatBuildLogLine,
  formatProgressLine,
  type RolloutTarget,
} from "./progress-line.js";

const plain = createColors(false);
const target: RolloutTarget = { service: "web", environment: "staging", deploymentId: "dep-7", release: 3 };

function event(kind: string, data: Record<string, unknown>, extra: Partial<EventRecord> = {}): EventRecord {
  return {
    seq: 1,
    at: "2025-01-31T14:05:09.000Z",
    kind,
    service: "web",
    environment: "staging",
    data,
    ...extra,
  };
}

describe("formatProgressLine", () => {
  it("marks good, bad, warning and plain steps and shows the server's message", () => {
    expect(
      formatProgressLine(
        event("replica.ready", {}, { message: "web/staging replica r1 (v3) is ready" }),
        plain,
      ),
    ).toBe("  ✓ web/staging replica r1 (v3) is ready");
    expect(formatProgressLine(event("replica.oom_killed", {}, { message: "r1 was OOMKilled" }), plain)).toBe(
      "  ✗ r1 was OOMKilled",
    );
    expect(formatProgressLine(event("replica.unready", {}, { message: "r1 is not ready" }), plain)).toBe(
      "  ! r1 is not ready",
    );
    expect(
      formatProgressLine(event("deployment.step", {}, { message: "starting 2 new replicas" }), plain),
    ).toBe("  · starting 2 new replicas");
    expect(formatProgressLine(event("deployment.step", {}, { message: null }), plain)).toBe(
      "  · deployment.step",
    );
  });

  it("colours the mark only when colours are on", () => {
    const line = formatProgressLine(
      event("deployment.failed", {}, { message: "failed" }),
      createColors(true),
    );
    expect(line).toContain("\u001b[31m✗");
  });
});

describe("formatBuildLogLine", () => {
  it("prefixes build output and highlights stderr", () => {
    expect(formatBuildLogLine({ stream: "stdout", line: "added 3 packages" }, plain)).toBe(
      "  build | added 3 packages",
    );
    const colored = formatBuildLogLine({ stream: "stderr", line: "npm warn" }, createColors(true));
    expect(colored).toContain("\u001b[33mnpm warn");
  });

  it("shows the build's control characters, and an event message's, rather than obeying them", () => {
    expect(formatBuildLogLine({ stream: "stdout", line: "\x1b[2Jdone\r" }, plain)).toBe(
      "  build | \\x1b[2Jdone\\x0d",
    );
    expect(formatProgressLine(event("replica.exited", {}, { message: "exited: \x1b]0;x\x07" }), plain)).toBe(
      "  ✗ exited: \\x1b]0;x\\x07",
    );
  });
});

describe("belongsToRollout", () => {
  it("takes deployment events by id and replica events by release and environment", () => {
    expect(belongsToRollout(event("deployment.step", { deploymentId: "dep-7" }), target)).toBe(true);
    expect(belongsToRollout(event("deployment.step", { deploymentId: "dep-6" }), target)).toBe(false);
    expect(belongsToRollout(event("replica.ready", { replica: "r1", release: 3 }), target)).toBe(true);
    expect(belongsToRollout(event("replica.ready", { replica: "r1", releaseVersion: 3 }), target)).toBe(true);
    expect(belongsToRollout(event("replica.ready", { replica: "r0", release: 2 }), target)).toBe(false);
    expect(
      belongsToRollout(event("replica.ready", { release: 3 }, { environment: "production" }), target),
    ).toBe(false);
    expect(belongsToRollout(event("release.ready", { releaseVersion: 3 }), target)).toBe(false);
  });

  it("knows when the watched deployment ended", () => {
    expect(endsRollout(event("deployment.succeeded", { deploymentId: "dep-7" }), target)).toBe(true);
    expect(endsRollout(event("deployment.failed", { deploymentId: "dep-7" }), target)).toBe(true);
    expect(endsRollout(event("deployment.succeeded", { deploymentId: "dep-8" }), target)).toBe(false);
    expect(endsRollout(event("deployment.step", { deploymentId: "dep-7" }), target)).toBe(false);
  });
});
