import { describe, expect, it } from "vitest";
import { nextRequestId, requestIdFor } from "./request-id.js";

describe("request ids", () => {
  it("are RFC 9562 version 8 UUIDs, all different", () => {
    const ids = Array.from({ length: 1000 }, () => nextRequestId());
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    expect(new Set(ids).size).toBe(1000);
  });

  it("keeps a plain caller id and replaces an unsafe one", () => {
    expect(requestIdFor("req-42.abc:7")).toBe("req-42.abc:7");
    expect(requestIdFor("a b\tforged=1")).not.toBe("a b\tforged=1");
    expect(requestIdFor(undefined)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
