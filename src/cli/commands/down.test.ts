import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CliError } from "../cli-error.js";
import { ExitCode } from "../exit-codes.js";
import { ApiClient } from "../http-client.js";
import { waitUntilStopped } from "./down.js";

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A server whose /healthz answers `status` for its first `answers` requests, then stops listening. */
async function platformThatStops(
  answers: number,
  status = 200,
): Promise<{ client: ApiClient; seen: () => number }> {
  let seen = 0;
  const current = createServer((_request, response) => {
    seen += 1;
    response.writeHead(status, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify(status === 200 ? { status: "ok" } : { title: "closing", status }));
    if (seen === answers) {
      current.close();
    }
  });
  server = current;
  await new Promise<void>((resolve) => current.listen(0, "127.0.0.1", resolve));
  const { port } = current.address() as AddressInfo;
  return { client: new ApiClient({ baseUrl: `http://127.0.0.1:${port}` }), seen: () => seen };
}

describe("waitUntilStopped", () => {
  it("returns only once the server no longer answers, a 503 while it closes included", async () => {
    const ok = await platformThatStops(3);
    await waitUntilStopped(ok.client, { intervalMs: 10 });
    expect(ok.seen()).toBe(3);
    const closing = await platformThatStops(2, 503);
    await waitUntilStopped(closing.client, { intervalMs: 10 });
    expect(closing.seen()).toBe(2);
  });

  it("gives up with exit 1 when the server still answers past the timeout", async () => {
    const { client } = await platformThatStops(Number.POSITIVE_INFINITY);
    const error = await waitUntilStopped(client, { timeoutMs: 200, intervalMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect(error).toMatchObject({
      exitCode: ExitCode.failure,
      message: expect.stringMatching(/still answers/),
    });
  });
});
