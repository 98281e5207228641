import { CommanderError } from "commander";
import { describe, expect, it } from "vitest";
import { StoreError } from "../store/store-error.js";
import { CliError } from "./cli-error.js";
import { formatFieldError, toCliError } from "./error-mapping.js";
import { ExitCode } from "./exit-codes.js";
import { ApiError, UnreachableError } from "./http-errors.js";
import { toProblem } from "./problem.js";

const url = "http://127.0.0.1:7420";

function apiError(status: number, body: unknown = {}): ApiError {
  return new ApiError("GET /api/v1/x", toProblem(status, "", body));
}

describe("toCliError", () => {
  it.each([
    [401, ExitCode.unauthenticated],
    [403, ExitCode.forbidden],
    [404, ExitCode.notFound],
    [409, ExitCode.conflict],
    [400, ExitCode.failure],
    [413, ExitCode.failure],
    [422, ExitCode.failure],
    [503, ExitCode.unreachable],
    [500, ExitCode.internal],
  ])("maps HTTP %i to exit code %i", (status, exitCode) => {
    expect(toCliError(apiError(status), { url }).exitCode).toBe(exitCode);
  });

  it("explains a 401 and points at login for the same server", () => {
    const error = toCliError(apiError(401, { detail: "Token revoked." }), { url });
    expect(error.message).toBe("your token is invalid, expired or revoked");
    expect(error.hint).toBe(`run \`slipway login ${url}\``);
  });

  it("keeps the server's detail for a 404", () => {
    const error = toCliError(apiError(404, { detail: 'No service "web".' }), { url });
    expect(error.message).toBe('No service "web".');
  });

  it("prints a 422's errors one per line with file:line:column", () => {
    const error = toCliError(
      apiError(422, {
        detail: "slipway.yaml is invalid",
        errors: [
          { field: "spec.port", message: "expected a number", line: 3, column: 7 },
          { field: "spec.helth", message: "unknown key", line: 5, column: 1, hint: "did you mean health?" },
          { field: "body.source", message: "required" },
        ],
      }),
      { url, file: "app/slipway.yaml" },
    );
    expect(error.message).toBe("slipway.yaml is invalid (3 errors)");
    expect(error.details).toEqual([
      "app/slipway.yaml:3:7: spec.port: expected a number",
      "app/slipway.yaml:5:1: spec.helth: unknown key (did you mean health?)",
      "body.source: required",
    ]);
  });

  it("does not repeat a field error the server's detail already says", () => {
    const message = 'expected an RFC 3339 time like "2026-11-27T18:00:00Z" or a duration like "10m"';
    const error = toCliError(
      apiError(400, {
        detail: `query.since: ${message}, found "yesterday"`,
        errors: [
          { field: "query.since", message },
          { field: "query.limit", message: "Too small" },
        ],
      }),
      { url },
    );
    expect(error.message).toBe(`query.since: ${message}, found "yesterday"`);
    expect(error.details).toEqual(["query.limit: Too small"]);
  });

  it("says the server cannot be reached and asks whether it runs", () => {
    const error = toCliError(new UnreachableError(url, "refused", new Error("ECONNREFUSED")), { url });
    expect(error.message).toBe(`cannot reach Slipway at ${url}`);
    expect(error.hint).toContain("is `slipway up` running?");
    expect(error.exitCode).toBe(ExitCode.unreachable);
  });

  it("reports a timeout as unreachable too", () => {
    const error = toCliError(new UnreachableError(url, "timeout", new Error("timeout")), { url });
    expect(error.message).toContain("did not answer in time");
    expect(error.exitCode).toBe(ExitCode.unreachable);
  });

  it("turns commander's parse errors into usage errors, its suggestion into the hint", () => {
    const unknown = toCliError(
      new CommanderError(
        1,
        "commander.unknownCommand",
        "error: unknown command 'servics'\n(Did you mean services?)",
      ),
      { url },
    );
    expect(unknown).toMatchObject({ message: "unknown command 'servics'", hint: "did you mean services?" });
    expect(unknown.exitCode).toBe(ExitCode.usage);

    const missing = toCliError(
      new CommanderError(1, "commander.missingArgument", "error: missing required argument 'name'"),
      { url, command: "tokens create" },
    );
    expect(missing.hint).toBe("run `slipway tokens create --help` to see the usage");
    expect(missing.exitCode).toBe(ExitCode.usage);
  });

  it("says the disk is full, not that Slipway has a bug", () => {
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
      path: "/home/me/.slipway/platform.lock",
    });
    const mapped = toCliError(full, { url });
    expect(mapped.message).toBe("the disk is full (writing /home/me/.slipway/platform.lock)");
    expect(mapped.hint).toMatch(/^free some space and try again/);
    expect(mapped.exitCode).toBe(ExitCode.failure);
  });

  it("passes CliErrors through and treats anything else as an internal error", () => {
    const own = new CliError("x", { exitCode: ExitCode.conflict });
    expect(toCliError(own, { url })).toBe(own);
    const bug = toCliError(new TypeError("boom"), { url });
    expect(bug.exitCode).toBe(ExitCode.internal);
    expect(bug.message).toBe("unexpected error: boom");
    expect(bug.hint).toContain("--debug");
  });

  it("shows a store's own message (what to fix) as a plain failure, not as a bug", () => {
    const message = "Cannot open the SQLite database /x/slipway.db: file is not a database. Check the file…";
    const error = toCliError(new StoreError("database_unreachable", message), { url });
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(ExitCode.failure);
    expect(error.hint).toBeUndefined();
  });
});

describe("formatFieldError", () => {
  it("leaves out what is unknown", () => {
    expect(formatFieldError({ message: "bad" })).toBe("bad");
    expect(formatFieldError({ message: "bad", line: 2 })).toBe("<input>:2:1: bad");
  });
});

describe("toProblem", () => {
  it("survives a body that is not a problem document", () => {
    expect(toProblem(502, "Bad Gateway", "<html>")).toEqual({
      status: 502,
      title: "Bad Gateway",
      errors: [],
    });
    expect(toProblem(500, "", undefined).title).toBe("HTTP 500");
  });
});
