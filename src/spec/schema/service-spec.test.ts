import { describe, expect, expectTypeOf, it } from "vitest";
import type * as z from "zod";
import { type ServiceSpec, serviceSpecSchema } from "./service-spec.js";

describe("serviceSpecSchema used directly (JSON callers such as the API)", () => {
  it("turns env numbers and booleans into strings", () => {
    const spec = serviceSpecSchema.parse({
      service: "web",
      start: "x",
      env: { PORT_OFFSET: 10, DEBUG: false },
    });
    expect(spec.env).toEqual({ PORT_OFFSET: "10", DEBUG: "false" });
  });

  it("normalises durations, sizes and shorthands", () => {
    const spec = serviceSpecSchema.parse({
      service: "web",
      start: "x",
      build: "make",
      resources: { memory: "1Gi", cpu: "250m" },
      health: { liveness: { http: "/live", timeout: "2s" } },
    });
    expect(spec.build).toEqual({ command: "make", workdir: "." });
    expect(spec.resources).toEqual({ memory: 2 ** 30, cpu: 0.25 });
    expect(spec.health.liveness).toEqual({
      check: { type: "http", path: "/live" },
      initialDelay: 0,
      period: 10_000,
      timeout: 2_000,
      failureThreshold: 3,
      successThreshold: 1,
    });
  });

  it("rejects unknown keys at every level", () => {
    const result = serviceSpecSchema.safeParse({
      service: "web",
      start: "x",
      deploy: { strategy: "rolling", surge: 1 },
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.code, issue.path])).toEqual([
      ["unrecognized_keys", ["deploy"]],
    ]);
  });

  it("rejects a workdir that leaves the repository", () => {
    for (const workdir of ["..", "../other", "/etc", "a/../../b"]) {
      expect(
        serviceSpecSchema.safeParse({ service: "web", start: "x", build: { command: "make", workdir } })
          .success,
      ).toBe(false);
    }
    const inside = serviceSpecSchema.parse({
      service: "web",
      start: "x",
      build: { command: "make", workdir: "a/../b/" },
    });
    expect(inside.build?.workdir).toBe("b");
  });

  it("outputs exactly the ServiceSpec type", () => {
    expectTypeOf<z.output<typeof serviceSpecSchema>>().toEqualTypeOf<ServiceSpec>();
  });
});
