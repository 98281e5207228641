import { describe, expect, it } from "vitest";
import { effectiveSpec, parseServiceSpec, type ServiceSpec } from "../spec/index.js";
import { planReplica } from "./replica-plan.js";

function specWithHealth(health: string): ServiceSpec {
  const result = parseServiceSpec(`service: web\nstart: node server.js\n${health}`, "slipway.yaml");
  if (!result.ok) {
    expect.fail(JSON.stringify(result.errors));
  }
  const effective = effectiveSpec(result.spec, "production");
  if (effective === undefined) {
    expect.fail("no production environment");
  }
  return effective;
}

function plan(health: string) {
  return planReplica({
    home: "/data",
    replicaId: "rep_1",
    service: "web",
    environment: "production",
    releaseVersion: 3,
    effective: specWithHealth(health),
    secrets: {},
  });
}

describe("planReplica's health probes", () => {
  it("waits for $PORT to accept connections when no probe is declared, for as long as a rollout waits", () => {
    const { startup, readiness, liveness } = plan("");
    expect(readiness).toBeUndefined();
    expect(liveness).toBeUndefined();
    expect(startup?.check).toEqual({ type: "tcp" });
    expect(startup?.passedSummary).toBe("$PORT accepts connections");
    // deploy.readyTimeout's default, 5 minutes.
    expect((startup?.period ?? 0) * (startup?.failureThreshold ?? 0)).toBe(300_000);
    expect(startup?.failureSummary).toMatch(
      /^did not listen on \$PORT within 300 s \(deploy\.readyTimeout\): .*set `kind: worker`$/,
    );
    expect(startup?.failureSummary).not.toContain("slipway.yaml");
  });

  it("says so when the app may be listening on slipway.yaml's port instead of $PORT", () => {
    expect(plan("port: 8080\n").startup?.failureSummary).toContain("not on port 8080 from slipway.yaml");
  });

  it("adds nothing when a readiness probe decides when the replica is ready", () => {
    const { startup, readiness } = plan("health:\n  readiness: { http: /healthz }\n");
    expect(startup).toBeUndefined();
    expect(readiness?.check).toEqual({ type: "http", path: "/healthz" });
  });

  it("keeps a declared startup probe as it is", () => {
    const { startup } = plan("health:\n  startup: { command: ./warm-up, failureThreshold: 30 }\n");
    expect(startup).toMatchObject({ check: { type: "command", command: "./warm-up" }, failureThreshold: 30 });
    expect(startup?.failureSummary).toBeUndefined();
  });

  it("holds a worker without probes back until it has run for 2 s, never checking a port", () => {
    const { startup, readiness } = plan("kind: worker\n");
    expect(readiness).toBeUndefined();
    expect(startup).toMatchObject({ check: { type: "running" }, initialDelay: 2000, failureThreshold: 1 });
    expect(startup?.passedSummary).toBe("ran for 2 s without exiting");
  });

  it("lets a worker's own readiness probe decide, as for a web service", () => {
    const { startup, readiness } = plan("kind: worker\nhealth:\n  readiness: { command: ./check-queue }\n");
    expect(startup).toBeUndefined();
    expect(readiness?.check).toEqual({ type: "command", command: "./check-queue" });
  });

  it("still waits for the port when only a liveness probe is declared", () => {
    const { startup, liveness } = plan("health:\n  liveness: { http: /healthz }\n");
    expect(startup?.check).toEqual({ type: "tcp" });
    expect(liveness?.check).toEqual({ type: "http", path: "/healthz" });
  });
});
