import { describe, expect, it } from "vitest";
import { readResponseHead } from "./response-head.js";

describe("readResponseHead", () => {
  it("tells sized, chunked and close-delimited bodies apart", () => {
    expect(readResponseHead(["Content-Length", "5"]).framing).toBe("content-length");
    expect(readResponseHead(["Transfer-Encoding", "chunked"]).framing).toBe("chunked");
    expect(readResponseHead(["Content-Type", "text/plain"]).framing).toBe("close");
  });

  it("gives a sized body's length, and none for other framings", () => {
    expect(readResponseHead(["Content-Length", "1234"]).contentLength).toBe(1234);
    expect(readResponseHead(["Content-Length", "0"]).contentLength).toBe(0);
    expect(readResponseHead(["Transfer-Encoding", "chunked"]).contentLength).toBeUndefined();
    expect(readResponseHead(["Content-Type", "text/plain"]).contentLength).toBeUndefined();
  });

  it("reads the replica's keep-alive timeout and the headers its Connection lists", () => {
    const facts = readResponseHead([
      "Connection",
      "keep-alive, X-Private",
      "Keep-Alive",
      "max=100, timeout=5",
      "connection",
      "x-other",
    ]);
    expect(facts.keepAliveTimeoutMs).toBe(5_000);
    expect([...(facts.connectionListed ?? [])]).toEqual(["x-private", "x-other"]);
    expect(readResponseHead(["Keep-Alive", "max=5"]).keepAliveTimeoutMs).toBeUndefined();
  });

  it("reads each replica's own keep-alive timeout when several alternate", () => {
    const timeout = (value: string) => readResponseHead(["Keep-Alive", value]).keepAliveTimeoutMs;
    expect([timeout("timeout=5"), timeout("timeout=5"), timeout("timeout=65"), timeout("max=1")]).toEqual([
      5_000,
      5_000,
      65_000,
      undefined,
    ]);
    expect(timeout("timeout=5")).toBe(5_000);
  });

  it("takes plain keep-alive and close as listing no header, in any case", () => {
    expect(readResponseHead(["Connection", "Keep-Alive"]).connectionListed).toBeUndefined();
    expect(readResponseHead(["Connection", "CLOSE"]).connectionListed).toBeUndefined();
    expect([...(readResponseHead(["Connection", "x-abcdefg"]).connectionListed ?? [])]).toEqual([
      "x-abcdefg",
    ]);
  });
});
