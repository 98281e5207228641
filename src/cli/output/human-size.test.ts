import { describe, expect, it } from "vitest";
import { formatBytes } from "./human-size.js";

describe("formatBytes", () => {
  it("writes sizes in binary units, like memory limits", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(64 * 1024 * 1024)).toBe("64 MiB");
    expect(formatBytes(71.34 * 1024 * 1024)).toBe("71.3 MiB");
    expect(formatBytes(300 * 1024 * 1024)).toBe("300 MiB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2 GiB");
  });
});
