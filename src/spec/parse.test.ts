import { describe, expect, it } from "vitest";
import { formatSpecError } from "./format-error.js";
import { parseServiceSpec } from "./parse.js";
import type { SpecError, SpecResult } from "./spec-error.js";

const MINIMAL = "service: web\nstart: npm start\n";

function errorsOf(result: SpecResult): SpecError[] {
  if (result.ok) {
    expect.fail("expected the spec to be rejected");
  }
  return result.errors;
}

describe("parseServiceSpec: bad input", () => {
  it("points at the quote that opens an unclosed string, not past the end of the file", () => {
    const errors = errorsOf(parseServiceSpec('service: x\nstart: "unterminated\nport: 80\n', "b.yaml"));
    expect(errors.map(formatSpecError)[0]).toMatch(/^b\.yaml:2:8: YAML syntax error: Missing closing "quote/);
  });

  it("refuses route paths the router could never match: dot segments and empty ones", () => {
    for (const path of ["/api/../", "/a/./b", "/a/%2E%2e", "/a//b"]) {
      const errors = errorsOf(parseServiceSpec(`${MINIMAL}routes:\n  - path: ${path}\n`, "slipway.yaml"));
      expect(errors.map(formatSpecError)).toEqual([
        expect.stringMatching(
          /^slipway\.yaml:4:11: routes\[0\]\.path: a route path cannot hold "\." or "\.\." segments/,
        ),
      ]);
    }
    expect(parseServiceSpec(`${MINIMAL}routes:\n  - path: /v1.2/a%2Eb\n`, "slipway.yaml").ok).toBe(true);
  });

  it("refuses probe periods and timeouts of 0, which would check in a tight loop", () => {
    const spec = `${MINIMAL}health:\n  readiness: { http: /, period: 0s, timeout: 0s }\nenvironments:\n  staging:\n    health:\n      liveness: { tcp: true, period: 50ms }\n`;
    const errors = errorsOf(parseServiceSpec(spec, "slipway.yaml")).map(formatSpecError);
    expect(errors).toEqual([
      expect.stringMatching(
        /^slipway\.yaml:4:33: health\.readiness\.period: must be at least 100ms, found 0 ms/,
      ),
      expect.stringMatching(
        /^slipway\.yaml:4:46: health\.readiness\.timeout: must be at least 10ms, found 0 ms/,
      ),
      expect.stringMatching(
        /environments\.staging\.health\.liveness\.period: must be at least 100ms, found 50 ms/,
      ),
    ]);
  });

  it("refuses routes and a canary for a worker, which gets no traffic", () => {
    const spec = `service: jobs\nkind: worker\nstart: node worker.js\nroutes:\n  - path: /api\ndeploy:\n  strategy: canary\n  canary: { steps: [{ weight: 10, pause: 1m }] }\n`;
    expect(errorsOf(parseServiceSpec(spec, "slipway.yaml")).map(formatSpecError)).toEqual([
      expect.stringMatching(/^slipway\.yaml:5:3: routes: a worker serves no requests, so it takes no routes/),
      expect.stringMatching(
        /^slipway\.yaml:7:13: deploy\.strategy: a worker gets no traffic for a canary to split/,
      ),
    ]);
    const overridden = `service: jobs\nkind: worker\nstart: node worker.js\nenvironments:\n  staging:\n    routes: [{ path: /x }]\n`;
    expect(errorsOf(parseServiceSpec(overridden, "slipway.yaml")).map(formatSpecError)).toEqual([
      expect.stringMatching(
        /^slipway\.yaml:6:\d+: environments\.staging\.routes: a worker serves no requests/,
      ),
    ]);
    expect(parseServiceSpec("service: jobs\nkind: job\nstart: x\n", "slipway.yaml").ok).toBe(false);
  });

  it("rejects a 10 MB spec with a size error before parsing it", () => {
    const huge = `service: web\nstart: npm start\nenv:\n${"  K: v\n".repeat((10 * 1024 * 1024) / 7)}`;
    const started = performance.now();
    const [error, ...rest] = errorsOf(parseServiceSpec(huge, "slipway.yaml"));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ line: 0, column: 0, path: "" });
    expect(error?.message).toMatch(/^the file is 10(\.0)? MiB, more than the 1 MiB a spec may be$/);
  });

  it("rejects the same size limit for bytes", () => {
    const [error] = errorsOf(parseServiceSpec(new Uint8Array(1024 * 1024 + 1).fill(0x20), "slipway.yaml"));
    expect(error?.message).toContain("more than the 1 MiB");
  });

  it("accepts a spec of exactly 1 MiB", () => {
    const padding = "#".repeat(1024 * 1024 - MINIMAL.length - 1);
    expect(parseServiceSpec(`${MINIMAL}${padding}\n`, "slipway.yaml").ok).toBe(true);
  });

  it("locates the first non-UTF-8 byte by line and column", () => {
    const bytes = Buffer.concat([
      Buffer.from("service: web\nstart: npm start\nenv:\n  NAME: caf"),
      Buffer.from([0xe9]),
      Buffer.from("\n"),
    ]);
    const [error, ...rest] = errorsOf(parseServiceSpec(bytes, "slipway.yaml"));
    expect(rest).toEqual([]);
    expect(formatSpecError(error as SpecError)).toBe(
      "slipway.yaml:4:12: the file is not valid UTF-8: byte 0xe9 at offset 46\n  hint: save the file as UTF-8 (it may be Latin-1 or UTF-16)",
    );
  });

  it("counts columns after multi-byte characters in UTF-16 units, as editors do", () => {
    const bytes = Buffer.concat([
      Buffer.from("service: web\nstart: \u00e9\u{1f680} x"),
      Buffer.from([0xc3, 0x28]),
    ]);
    const [error] = errorsOf(parseServiceSpec(bytes, "slipway.yaml"));
    // "start: " is 7 units, é 1, the rocket 2 (a surrogate pair), " x" 2: the bad byte is the 13th.
    expect(error).toMatchObject({ line: 2, column: 13 });
  });

  it.each([
    ["an overlong encoding", [0xc0, 0xaf]],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["a code point above U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["a truncated sequence", [0xe2, 0x82]],
    ["a lone continuation byte", [0x80]],
  ])("rejects %s", (_name, bad) => {
    const bytes = Buffer.concat([Buffer.from("service: web\nstart: x"), Buffer.from(bad)]);
    const [error] = errorsOf(parseServiceSpec(bytes, "slipway.yaml"));
    expect(error).toMatchObject({ line: 2, column: 9 });
  });

  it("accepts UTF-8 with a byte order mark", () => {
    const result = parseServiceSpec(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(MINIMAL)]),
      "s.yaml",
    );
    expect(result.ok).toBe(true);
  });

  it("rejects an alias bomb quickly instead of expanding it", () => {
    let bomb = "service: web\nstart: npm start\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
    for (let level = 1; level < 10; level++) {
      bomb += `x${level}: &a${level} [${Array(10)
        .fill(`*a${level - 1}`)
        .join(", ")}]\n`;
    }
    const started = performance.now();
    const errors = errorsOf(parseServiceSpec(bomb, "slipway.yaml"));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(errors.map((error) => error.message)).toContainEqual(expect.stringMatching(/alias/));
    expect(errors.find((error) => /alias/.test(error.message))?.hint).toBe("this looks like an alias bomb");
  });

  it("rejects an alias that refers to a value containing it", () => {
    const errors = errorsOf(parseServiceSpec("service: web\nstart: x\nenv: &loop\n  A: *loop\n", "s.yaml"));
    expect(errors.map(formatSpecError)).toContain(
      "s.yaml:4:6: env.A: alias *loop refers to a value that contains it",
    );
  });

  it("rejects deep nesting without overflowing the stack", () => {
    const deep = `service: web\nstart: x\nenv: ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
    const errors = errorsOf(parseServiceSpec(deep, "slipway.yaml"));
    expect(errors.length).toBeGreaterThan(0);
  });

  it.each([
    ["an empty file", ""],
    ["only comments", "# nothing here\n"],
    ["whitespace", "  \n\n"],
  ])("rejects %s", (_name, text) => {
    const [error] = errorsOf(parseServiceSpec(text, "slipway.yaml"));
    expect(error?.message).toBe("the file is empty");
  });

  it.each([
    ["a list", "- a\n- b\n", "a list"],
    ["a string", "hello\n", '"hello"'],
    ["a number", "42\n", "42"],
    ["null", "~\n", "an empty value"],
  ])("rejects a top level that is %s", (_name, text, found) => {
    const [error] = errorsOf(parseServiceSpec(text, "slipway.yaml"));
    expect(error?.message).toBe(`expected a mapping with keys such as service and start, found ${found}`);
  });

  it("treats a __proto__ key as an unknown key, not as a prototype", () => {
    const errors = errorsOf(parseServiceSpec(`${MINIMAL}__proto__:\n  polluted: true\n`, "slipway.yaml"));
    expect(errors.map((error) => `${error.path}: ${error.message}`)).toEqual(["__proto__: unknown key"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects keys that are not plain scalars", () => {
    const errors = errorsOf(parseServiceSpec(`${MINIMAL}? [a, b]\n: c\n`, "slipway.yaml"));
    expect(errors.map((error) => error.message)).toEqual(["expected a plain key, found a list"]);
  });

  it("reports every error at once, sorted by position", () => {
    const text = "metrics: nope\nservice: Bad\nport: 0\nstart: 1\n";
    const errors = errorsOf(parseServiceSpec(text, "slipway.yaml"));
    expect(errors.map((error) => [error.line, error.path])).toEqual([
      [1, "metrics"],
      [2, "service"],
      [3, "port"],
      [4, "start"],
    ]);
  });

  it("never throws on arbitrary bytes", () => {
    // A small deterministic fuzz: random bytes and random mixes of YAML punctuation.
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const alphabet = ":-[]{}&*!|>'\"#%@`, \n\tabc019~?";
    for (let round = 0; round < 300; round++) {
      const length = Math.floor(random() * 200);
      const text = Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join("");
      const bytes = Uint8Array.from({ length }, () => Math.floor(random() * 256));
      for (const source of [text, `${MINIMAL}${text}`, bytes]) {
        const result = parseServiceSpec(source, "fuzz.yaml");
        expect(typeof result.ok).toBe("boolean");
        if (!result.ok) {
          expect(result.errors.length).toBeGreaterThan(0);
        }
      }
    }
  });
});

describe("parseServiceSpec: good input", () => {
  it("gives the same result for a string and its UTF-8 bytes", () => {
    expect(parseServiceSpec(Buffer.from(MINIMAL), "a.yaml")).toEqual(parseServiceSpec(MINIMAL, "a.yaml"));
  });

  it("passes on YAML warnings without failing", () => {
    const result = parseServiceSpec(`${MINIMAL}env:\n  A: !custom value\n`, "slipway.yaml");
    expect(result.ok).toBe(true);
    expect(result.ok && result.warnings.map((warning) => warning.line)).toEqual([4]);
  });

  it("keeps the environments' written order as the promotion order", () => {
    const result = parseServiceSpec(
      `${MINIMAL}environments:\n  zeta: {}\n  alpha: {}\n  mid: {}\n`,
      "s.yaml",
    );
    expect(result.ok && result.spec.environments.map((environment) => environment.name)).toEqual([
      "zeta",
      "alpha",
      "mid",
    ]);
  });
});
