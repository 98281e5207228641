import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import {
  isSameProcess,
  parseProcStat,
  processStartTime,
  processTree,
  readProcStat,
  readRssBytes,
} from "./proc-stat.js";

describe("/proc readers", () => {
  it("parses a stat line whose command name holds spaces and parentheses", () => {
    const line =
      "4242 (my (odd) app) S 1 4242 4242 0 -1 4194560 500 0 0 0 150 25 3 2 20 0 1 0 88609 3133440 382 18446744073709551615";
    expect(parseProcStat(line)).toEqual({
      pid: 4242,
      comm: "my (odd) app",
      state: "S",
      ppid: 1,
      pgrp: 4242,
      session: 4242,
      utime: 150,
      stime: 25,
      cutime: 3,
      cstime: 2,
      startTicks: 88609,
      rssPages: 382,
    });
    expect(parseProcStat("garbage")).toBeUndefined();
  });

  it("identifies a process by pid and start time, so another process never matches", async () => {
    const child = spawn("sleep", ["5"], { stdio: "ignore" });
    const pid = child.pid ?? 0;
    const startTime = processStartTime(pid) ?? "";
    expect(startTime).toMatch(/^\d+@[0-9a-f-]+$/);
    expect(isSameProcess(pid, startTime)).toBe(true);
    expect(isSameProcess(pid, `9${startTime}`)).toBe(false);
    expect(isSameProcess(process.pid, startTime)).toBe(false);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(isSameProcess(pid, startTime)).toBe(false);
  });

  it("finds a process group's members and descendants, and their memory", async () => {
    const child = spawn("/bin/sh", ["-c", "sleep 5 & sleep 5 & wait"], { detached: true, stdio: "ignore" });
    const pid = child.pid ?? 0;
    try {
      const tree = await waitForTree(pid, 3);
      expect(tree.map((stat) => stat.comm).sort()).toEqual(["sh", "sleep", "sleep"]);
      expect(readProcStat(pid)?.pgrp).toBe(pid);
      expect(readRssBytes(pid)).toBeGreaterThan(0);
    } finally {
      process.kill(-pid, "SIGKILL");
    }
  });
});

async function waitForTree(pid: number, size: number) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const tree = processTree(pid);
    // A forked child shows the shell's name until it has exec'd sleep.
    if (tree.filter((stat) => stat.comm === "sleep").length >= size - 1) {
      return tree;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("the process tree did not appear");
}
