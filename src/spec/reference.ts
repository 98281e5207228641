import { stringify } from "yaml";
import { serviceSpecJsonSchema } from "./json-schema.js";
import { collectFields, type FieldDoc } from "./reference-fields.js";

const INTRO = `# slipway.yaml reference

<!-- Generated from the schema in src/spec/schema by \`npm run docs\`. Do not edit by hand. -->

A \`slipway.yaml\` at the root of a repository describes one service: how to build and start it, how
to check its health, what it may use, how many replicas run, where traffic reaches it, the environments
a release goes through, how deploys roll out, and what to alert on. \`slipway init\` writes a first one;
\`slipway validate\` checks it and prints every error with its line and column.

Editors complete and check the file through the JSON Schema (\`slipway schema\` prints it). Keep the
first line that \`slipway init\` writes:

\`\`\`yaml
# yaml-language-server: $schema=http://127.0.0.1:7420/api/v1/schema/slipway.json
\`\`\`

Conventions:

- **Durations** are whole numbers with units, largest first: \`500ms\`, \`30s\`, \`5m\`, \`1h\`, \`1m30s\`, \`2d\`.
  A bare number is an error.
- **Memory** uses Kubernetes quantities: \`256Mi\`, \`1Gi\` (powers of 1024) or \`512M\`, \`1G\` (powers of 1000).
  \`256MB\` is an error.
- **CPU** is in cores (\`0.5\`, \`2\`) or millicores (\`500m\`).
- **Unknown keys are errors**, with a suggestion when one is close ("did you mean \`replicas\`?").
- **Environments** override the top level: maps merge key by key, lists replace.

## Fields
`;

/**
 * The Markdown reference of every slipway.yaml field (path, type, default, description, example), made
 * from the JSON Schema, itself made from the zod schema, so the docs cannot drift from the parser.
 */
export function renderSpecReference(): string {
  const fields = collectFields(serviceSpecJsonSchema());
  return `${INTRO}\n${fields.map(renderField).join("\n")}`;
}

function renderField(field: FieldDoc): string {
  const facts = [
    `- Type: ${field.type}`,
    `- Required: ${field.required ? "yes" : "no"}`,
    ...(field.default === undefined ? [] : [`- Default: \`${JSON.stringify(field.default)}\``]),
    ...(field.sameAs === undefined ? [] : [`- Fields: the same as \`${field.sameAs}\``]),
  ];
  const example = field.examples[0];
  const lines = [
    `### \`${field.path}\``,
    "",
    ...(field.description ? [field.description, ""] : []),
    ...facts,
    "",
    ...(example === undefined ? [] : ["```yaml", exampleYaml(field.path, example).trimEnd(), "```", ""]),
  ];
  return lines.join("\n");
}

/** The example placed at its full path, so it can be pasted into a spec as is. */
function exampleYaml(path: string, example: unknown): string {
  const segments = path.split(".");
  let value: unknown = example;
  for (const segment of segments.reverse()) {
    const name = segment === "<name>" ? "production" : segment.replace(/\[\]$/, "");
    value = segment.endsWith("[]") ? { [name]: [value] } : { [name]: value };
  }
  return stringify(value, { lineWidth: 0 });
}
