import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { CliError } from "./cli-error.js";
import { ApiClient } from "./http-client.js";
import { ApiError, UnreachableError } from "./http-errors.js";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: Handler): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("ApiClient", () => {
  it("sends the bearer token and JSON body, and parses the answer", async () => {
    let seen: { auth?: string; type?: string; body: string } = { body: "" };
    const url = await serve((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", () => {
        seen = { auth: request.headers.authorization, type: request.headers["content-type"], body };
        response.writeHead(201, { "content-type": "application/json" }).end('{"ok":true,"extra":1}');
      });
    });
    const client = new ApiClient({ baseUrl: url, token: "slp_abc" });
    const answer = await client.send("POST", "/api/v1/tokens", z.object({ ok: z.boolean() }), {
      body: { name: "ci" },
    });
    expect(answer).toEqual({ ok: true });
    expect(seen).toEqual({ auth: "Bearer slp_abc", type: "application/json", body: '{"name":"ci"}' });
  });

  it("leaves the token out when asked, and drops undefined query values", async () => {
    let seen: { auth?: string; url?: string } = {};
    const url = await serve((request, response) => {
      seen = { auth: request.headers.authorization, url: request.url };
      response.writeHead(204).end();
    });
    const client = new ApiClient({ baseUrl: url, token: "slp_abc" });
    const response = await client.request("GET", "/api/v1/x", {
      auth: false,
      query: { a: "1", b: undefined },
    });
    expect(response).toEqual({ status: 204, body: undefined });
    expect(seen).toEqual({ auth: undefined, url: "/api/v1/x?a=1" });
  });

  it("rejects with ApiError carrying the problem document", async () => {
    const url = await serve((_request, response) => {
      response.writeHead(422, { "content-type": "application/problem+json" }).end(
        JSON.stringify({
          title: "Unprocessable Content",
          status: 422,
          detail: "bad",
          errors: [{ field: "x", message: "m", line: 1, column: 2 }],
        }),
      );
    });
    const error = await new ApiClient({ baseUrl: url })
      .request("PUT", "/api/v1/services/web")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).problem).toMatchObject({
      status: 422,
      detail: "bad",
      errors: [{ field: "x", line: 1, column: 2 }],
    });
  });

  it("calls a refused connection unreachable", async () => {
    const url = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()?.close(resolve));
    const error = await new ApiClient({ baseUrl: url }).request("GET", "/healthz").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).reason).toBe("refused");
  });

  it("gives up on a server that does not answer in time", async () => {
    const url = await serve(() => undefined);
    const error = await new ApiClient({ baseUrl: url, timeoutMs: 200 })
      .request("GET", "/slow")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect((error as UnreachableError).reason).toBe("timeout");
  });

  it("reports an answer of the wrong shape as a CLI/server version mismatch", async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end('{"user":{}}');
    });
    const error = await new ApiClient({ baseUrl: url })
      .get("/api/v1/whoami", z.object({ user: z.object({ name: z.string() }) }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toContain(
      "unexpected answer from the server to GET /api/v1/whoami at user.name",
    );
    expect((error as CliError).exitCode).toBe(70);
  });

  it("traces requests for --debug without the token", async () => {
    const url = await serve((_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "x-request-id": "req-1" }).end("{}");
    });
    const lines: string[] = [];
    await new ApiClient({ baseUrl: url, token: "slp_topsecret", trace: (line) => lines.push(line) }).request(
      "GET",
      "/api/v1/x",
    );
    expect(lines[0]).toBe(`> GET ${url}/api/v1/x`);
    expect(lines[1]).toMatch(/^< 200 OK in \d+ ms \(request id req-1\)$/);
    expect(lines.join("\n")).not.toContain("slp_topsecret");
  });
});
