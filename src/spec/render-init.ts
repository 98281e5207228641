import { stringify } from "yaml";
import type { AppKind, DetectedApp } from "./detect-app.js";
import { toDnsLabel } from "./names.js";

/** Options for {@link renderInitSpec}. */
export interface RenderInitOptions {
  /** Service name to use instead of the detected one; made into a DNS label if it is not one. */
  name?: string;
  /** Where editors fetch the JSON Schema, for the `yaml-language-server` line. */
  schemaUrl: string;
}

const KIND_NAMES: Record<AppKind, string> = {
  node: "a Node.js app",
  python: "a Python app",
  go: "a Go app",
  static: "a static site",
  unknown: "an app of a kind it did not recognise",
};

/** Fails loudly when run, so a spec with an unfilled start command cannot pass for working. */
const START_PLACEHOLDER = 'echo "TODO: set start in slipway.yaml" >&2; exit 1';

/**
 * The slipway.yaml text `slipway init` writes: a `$schema` line for editors, short comments, and the
 * detected build, start and health settings, then staging and production environments. It always parses
 * without errors; unknown parts are placeholders marked TODO.
 *
 * @example renderInitSpec(await detectApp("."), { schemaUrl: "http://127.0.0.1:7420/api/v1/schema/slipway.json" })
 */
export function renderInitSpec(detected: DetectedApp, options: RenderInitOptions): string {
  const name = (options.name === undefined ? undefined : toDnsLabel(options.name)) ?? detected.name;
  return [
    `# yaml-language-server: $schema=${options.schemaUrl}`,
    `# Written by \`slipway init\` for ${KIND_NAMES[detected.kind]}. Check it with \`slipway validate\`;`,
    "# every field is described in docs/slipway-yaml.md.",
    ...detected.evidence.map((line) => `#   detected: ${line}`),
    "",
    `service: ${scalar(name)}`,
    "",
    ...buildLines(detected),
    ...startLines(detected),
    ...healthLines(detected),
    "# Releases go to staging first, then to production once a deployer approves.",
    "environments:",
    "  staging: {}",
    "  production:",
    "    approval: required",
    "",
  ].join("\n");
}

function buildLines(detected: DetectedApp): string[] {
  if (detected.build === undefined) {
    return ["# TODO: the command that builds the service, if it needs one:", "# build: make", ""];
  }
  return ["# Runs once per release, in the repository root.", `build: ${scalar(detected.build)}`, ""];
}

function startLines(detected: DetectedApp): string[] {
  if (detected.start === undefined) {
    return [
      "# TODO: the command that starts one replica; it must listen on the port in $PORT.",
      `start: ${scalar(START_PLACEHOLDER)}`,
      "",
    ];
  }
  return [
    "# Starts one replica. The platform chooses the port and passes it in $PORT.",
    `start: ${scalar(detected.start)}`,
    "",
  ];
}

function healthLines(detected: DetectedApp): string[] {
  const check =
    detected.health.type === "http"
      ? [
          `    # The app must answer GET ${detected.health.path} with 2xx; or use \`tcp: true\`.`,
          `    http: ${scalar(detected.health.path)}`,
        ]
      : [
          "    # Ready once the port accepts connections; an HTTP app can use `http: /healthz`.",
          "    tcp: true",
        ];
  return ["# A replica gets traffic only while this passes.", "health:", "  readiness:", ...check, ""];
}

/** A string as a YAML scalar, quoted only when YAML needs it. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}
