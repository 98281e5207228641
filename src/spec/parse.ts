import { LineCounter, parseDocument, type YAMLError } from "yaml";
import { describeFound } from "./describe-value.js";
import { specErrorMap } from "./error-map.js";
import { type IssueReport, reportIssues } from "./issues.js";
import { ruleIssuesDespiteErrors } from "./rules-despite-errors.js";
import { serviceSpecSchema } from "./schema/service-spec.js";
import { decodeSource } from "./source/decode.js";
import { yamlToData } from "./source/yaml-to-data.js";
import { compareSpecErrors, formatSpecPath, type SpecError, type SpecResult } from "./spec-error.js";
import { isStringMapValue } from "./string-maps.js";

/**
 * Parses and validates a slipway.yaml. Never throws for bad input: every problem comes back as a
 * {@link SpecError} with its line and column, all of them at once, sorted by position.
 *
 * @example
 * const result = parseServiceSpec(await readFile("slipway.yaml"), "slipway.yaml");
 * if (!result.ok) console.error(result.errors.map(formatSpecError).join("\n"));
 */
export function parseServiceSpec(source: string | Uint8Array, file: string): SpecResult {
  try {
    return parseOrReport(source, file);
  } catch (error) {
    // A bug of ours must still come back as a value: callers (the API server) rely on "never throws".
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      errors: [
        {
          file,
          line: 0,
          column: 0,
          path: "",
          message: `could not check the spec: ${reason}`,
          hint: "this is a bug in Slipway; please report it",
        },
      ],
    };
  }
}

function parseOrReport(source: string | Uint8Array, file: string): SpecResult {
  const decoded = decodeSource(source);
  if (!decoded.ok) {
    return { ok: false, errors: [{ file, path: "", ...decoded.problem }] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(decoded.text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const at = (
    offset: number,
    path: readonly (string | number)[],
    message: string,
    hint?: string,
  ): SpecError => {
    const { line, col } = lineCounter.linePos(offset);
    return {
      file,
      line,
      column: col,
      path: formatSpecPath(path),
      message,
      ...(hint === undefined ? {} : { hint }),
    };
  };
  const warnings = doc.warnings.map((warning) => at(warning.pos[0], [], firstLine(warning)));
  if (doc.errors.length > 0) {
    return failure(
      doc.errors.map((error) =>
        at(errorOffset(error, decoded.text), [], syntaxMessage(error), syntaxHint(error)),
      ),
    );
  }
  if (doc.contents === null) {
    return failure([at(0, [], "the file is empty", "run `slipway init` to write a starter slipway.yaml")]);
  }
  const converted = yamlToData(doc, {
    keepsWrittenText: isStringMapValue,
    lineOf: (offset) => lineCounter.linePos(offset).line,
  });
  const problems = converted.problems.map((problem) =>
    at(problem.offset, problem.path, problem.message, problem.hint),
  );
  const { data } = converted;
  if (data === undefined) {
    return failure(problems);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    const message = `expected a mapping with keys such as service and start, found ${describeFound(data)}`;
    return failure([...problems, at(converted.index.offsetOf([], "value"), [], message)]);
  }
  const result = serviceSpecSchema.safeParse(data, { reportInput: true, error: specErrorMap });
  const issues = result.success
    ? []
    : [
        ...result.error.issues,
        ...ruleIssuesDespiteErrors(data as Record<string, unknown>, result.error.issues),
      ];
  const reports: IssueReport[] = reportIssues(issues, serviceSpecSchema);
  // A value the converter already complained about (an unknown alias became null) needs no second error.
  const converterPaths = converted.problems.map((problem) => problem.path);
  const fresh = reports.filter((report) => !converterPaths.some((path) => isWithin(report.path, path)));
  const errors = [
    ...problems,
    ...fresh.map((report) =>
      at(converted.index.offsetOf(report.path, report.at), report.path, report.message, report.hint),
    ),
  ];
  if (errors.length > 0 || !result.success) {
    return failure(errors);
  }
  return { ok: true, spec: result.data, warnings };
}

function isWithin(path: readonly (string | number)[], parent: readonly (string | number)[]): boolean {
  return parent.length <= path.length && parent.every((segment, index) => segment === path[index]);
}

function failure(errors: SpecError[]): SpecResult {
  const unique = new Map(errors.map((error) => [JSON.stringify(error), error]));
  return { ok: false, errors: [...unique.values()].sort(compareSpecErrors) };
}

function firstLine(error: YAMLError): string {
  return error.message.split("\n")[0] ?? error.message;
}

/**
 * Where to point for a syntax error. An unclosed quote is reported by the parser where the file
 * ends, past the last line; the quote that opened it is where the fix goes.
 */
function errorOffset(error: YAMLError, text: string): number {
  const quote = /closing (["'])quote/.exec(error.message)?.[1];
  if (error.code === "MISSING_CHAR" && quote !== undefined) {
    const opened = text.lastIndexOf(quote, Math.min(error.pos[0], text.length) - 1);
    if (opened >= 0) {
      return opened;
    }
  }
  return error.pos[0];
}

function syntaxMessage(error: YAMLError): string {
  if (error.code === "MULTIPLE_DOCS") {
    return "the file holds more than one YAML document; a slipway.yaml is one document";
  }
  return `YAML syntax error: ${firstLine(error).replace(/ at line \d+, column \d+.*$/, "")}`;
}

function syntaxHint(error: YAMLError): string | undefined {
  switch (error.code) {
    case "MULTIPLE_DOCS":
      return "remove the `---` line that starts the second document";
    case "TAB_AS_INDENT":
      return "indent with spaces";
    case "BAD_INDENT":
    case "MISSING_CHAR":
      return "check indentation, quotes and brackets on this line and the one before";
    default:
      return undefined;
  }
}
