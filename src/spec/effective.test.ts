import { describe, expect, it } from "vitest";
import { effectiveSpec, environmentNames } from "./effective.js";
import { parseServiceSpec } from "./parse.js";
import type { ServiceSpec } from "./schema/service-spec.js";

function parse(text: string): ServiceSpec {
  const result = parseServiceSpec(text, "slipway.yaml");
  if (!result.ok) {
    expect.fail(JSON.stringify(result.errors));
  }
  return result.spec;
}

const SPEC = `
service: web
start: npm start
replicas: 2
env: { A: "1", B: "2" }
secrets: [TOKEN]
resources: { memory: 256Mi, cpu: 1 }
routes: [{ host: web.example.com }]
health:
  readiness: { http: /healthz, period: 20s }
deploy: { maxSurge: 2, drainTimeout: 1m }
environments:
  staging:
    env: { B: "staging", C: "3" }
    secrets: [STAGING_TOKEN]
    resources: { memory: 128Mi }
    routes: [{ host: staging.example.com, path: /app }]
    health:
      readiness: { timeout: 3s }
      liveness: { tcp: true }
  production:
    approval: required
    scale: { min: 3, max: 9 }
    health:
      readiness: { command: ./ready }
    deploy: { strategy: canary, canary: { steps: [{ weight: 20, pause: 1m }] } }
`;

describe("environmentNames", () => {
  it("lists environments in the order written", () => {
    expect(environmentNames(parse(SPEC))).toEqual(["staging", "production"]);
  });

  it("defaults to production alone", () => {
    expect(environmentNames(parse("service: web\nstart: x\n"))).toEqual(["production"]);
  });
});

describe("effectiveSpec", () => {
  const spec = parse(SPEC);

  it("merges maps key by key and replaces lists", () => {
    const staging = effectiveSpec(spec, "staging");
    expect(staging?.env).toEqual({ A: "1", B: "staging", C: "3" });
    expect(staging?.secrets).toEqual(["STAGING_TOKEN"]);
    expect(staging?.resources).toEqual({ memory: 128 * 2 ** 20, cpu: 1 });
    expect(staging?.routes).toEqual([{ host: "staging.example.com", path: "/app" }]);
    expect(staging?.replicas).toBe(2);
  });

  it("merges a probe field by field and fills defaults for a new one", () => {
    const staging = effectiveSpec(spec, "staging");
    expect(staging?.health.readiness).toEqual({
      check: { type: "http", path: "/healthz" },
      initialDelay: 0,
      period: 20_000,
      timeout: 3_000,
      failureThreshold: 3,
      successThreshold: 1,
    });
    expect(staging?.health.liveness?.check).toEqual({ type: "tcp" });
    expect(staging?.health.liveness?.period).toBe(10_000);
  });

  it("replaces the way a probe checks and swaps replicas for scale", () => {
    const production = effectiveSpec(spec, "production");
    expect(production?.health.readiness?.check).toEqual({ type: "command", command: "./ready" });
    expect(production?.health.readiness?.period).toBe(20_000);
    expect(production?.scale).toEqual({ min: 3, max: 9, target: { cpu: 80 } });
    expect(production?.replicas).toBeUndefined();
  });

  it("merges deploy settings over the top level's", () => {
    expect(effectiveSpec(spec, "production")?.deploy).toEqual({
      strategy: "canary",
      maxSurge: 2,
      maxUnavailable: 0,
      drainTimeout: 60_000,
      readyTimeout: 300_000,
      stopGracePeriod: 30_000,
      canary: { steps: [{ weight: 20, pause: 60_000 }], maxErrorRate: 5 },
    });
  });

  it("leaves the base spec untouched", () => {
    effectiveSpec(spec, "staging");
    effectiveSpec(spec, "production");
    expect(spec).toEqual(parse(SPEC));
  });

  it("swaps scale for a fixed replica count", () => {
    const scaled = parse(
      "service: web\nstart: x\nscale: { max: 4 }\nenvironments:\n  dev: { replicas: 1 }\n",
    );
    expect(effectiveSpec(scaled, "dev")).toMatchObject({ replicas: 1 });
    expect(effectiveSpec(scaled, "dev")?.scale).toBeUndefined();
  });

  it("returns undefined for an unknown environment", () => {
    expect(effectiveSpec(spec, "qa")).toBeUndefined();
  });

  it("returns the top level as is for an environment without overrides", () => {
    const plain = parse("service: web\nstart: x\nenvironments:\n  staging:\n");
    const { environments: _ignored, ...rest } = plain;
    expect(effectiveSpec(plain, "staging")).toMatchObject(rest);
  });
});
