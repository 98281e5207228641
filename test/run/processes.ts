import { readdirSync, readFileSync } from "node:fs";

/** Pids of running processes whose command line holds the text: what a test left running, or did not. */
export function processesWith(text: string): string[] {
  return readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(text);
      } catch {
        return false;
      }
    });
}
