import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { EventRecord } from "./api-schemas.js";
import { followEvents } from "./event-stream.js";
import { ApiClient } from "./http-client.js";
import { ApiError } from "./http-errors.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

function frame(seq: number): string {
  const event = {
    seq,
    id: `e${seq}`,
    at: "2025-01-01T00:00:00Z",
    kind: "test.tick",
    service: null,
    environment: null,
    actor: "t",
    message: `tick ${seq}`,
    data: null,
  };
  return `id: ${seq}\nevent: test.tick\ndata: ${JSON.stringify(event)}\n\n`;
}

async function serve(
  onStream: (response: ServerResponse, lastEventId: string | undefined, url: string) => void,
): Promise<string> {
  server = createServer((request, response) => {
    if (request.headers.authorization !== "Bearer good") {
      response
        .writeHead(401, { "content-type": "application/problem+json" })
        .end('{"status":401,"title":"Unauthorized"}');
      return;
    }
    response.writeHead(200, { "content-type": "text/event-stream" });
    response.write(": connected\n\n");
    onStream(response, request.headers["last-event-id"] as string | undefined, request.url ?? "");
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("followEvents", () => {
  it("hands over events, and after a drop reconnects with Last-Event-ID so none is lost", async () => {
    const connections: Array<string | undefined> = [];
    const url = await serve((response, lastEventId) => {
      connections.push(lastEventId);
      if (connections.length === 1) {
        response.write("retry: 50\n\n");
        response.write(frame(4));
        response.end(frame(5));
      } else {
        response.write(frame(6));
      }
    });
    const controller = new AbortController();
    const seen: EventRecord[] = [];
    const changes: string[] = [];
    const done = followEvents(new ApiClient({ baseUrl: url, token: "good" }), {
      query: { kind: "test.*" },
      after: "3",
      signal: controller.signal,
      onEvent: (event) => {
        seen.push(event);
        if (event.seq === 6) {
          controller.abort();
        }
      },
      onConnectionChange: (state) => changes.push(state),
    });
    await done;
    expect(seen.map((event) => event.seq)).toEqual([4, 5, 6]);
    expect(connections).toEqual(["3", "5"]);
    expect(changes).toEqual(["lost", "restored"]);
  });

  it("skips messages that are not events", async () => {
    const url = await serve((response) => {
      response.write("data: not json\n\n");
      response.write(frame(1));
    });
    const controller = new AbortController();
    const invalid: string[] = [];
    await followEvents(new ApiClient({ baseUrl: url, token: "good" }), {
      query: {},
      signal: controller.signal,
      onEvent: () => controller.abort(),
      onInvalid: (data) => invalid.push(data),
    });
    expect(invalid).toEqual(["not json"]);
  });

  it("throws when the server refuses the token", async () => {
    const url = await serve(() => undefined);
    const error = await followEvents(new ApiClient({ baseUrl: url, token: "bad" }), {
      query: {},
      onEvent: () => undefined,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
  });
});
