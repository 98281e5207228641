import { describe, expect, it } from "vitest";
import { ExitCode } from "../exit-codes.js";
import { Deadline } from "./deadline.js";

describe("Deadline", () => {
  it("counts down from the --timeout given", async () => {
    let now = 1_000;
    const deadline = await Deadline.parse("1m30s", () => now);
    expect(deadline.remainingMs()).toBe(90_000);
    now += 90_000;
    expect(deadline.expired()).toBe(true);
    expect(deadline.remainingMs()).toBe(0);
  });

  it("moves its end later by a canary's pause, which is not waiting", async () => {
    let now = 0;
    const deadline = await Deadline.parse("10m", () => now);
    now += 9 * 60_000;
    deadline.extendBy(5 * 60_000);
    now += 4 * 60_000;
    expect(deadline.expired()).toBe(false);
    expect(deadline.remainingMs()).toBe(2 * 60_000);
  });

  it("refuses what is not a duration, as a usage error", async () => {
    await expect(Deadline.parse("soon")).rejects.toMatchObject({ exitCode: ExitCode.usage });
    await expect(Deadline.parse("10")).rejects.toMatchObject({ exitCode: ExitCode.usage });
    await expect(Deadline.parse("0s")).rejects.toMatchObject({ exitCode: ExitCode.usage });
  });

  it("times out with exit 1, naming what it waited for", async () => {
    const error = (await Deadline.parse("10m")).timeoutError("the build of web v3", "web");
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(error.message).toBe("timed out after 10m waiting for the build of web v3");
    expect(error.hint).toContain("slipway events -f --service web");
  });
});
