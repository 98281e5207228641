import { describe, expect, it } from "vitest";
import { serviceSpecJsonSchema } from "./json-schema.js";

type Json = Record<string, unknown>;
const asJson = (value: unknown): Json => (typeof value === "object" && value !== null ? (value as Json) : {});

/** Every property of every object in the schema, with its path. */
function properties(node: Json, path = ""): [string, Json][] {
  if (Object.keys(node).length === 0) {
    return [];
  }
  const options = Array.isArray(node.anyOf) ? node.anyOf.map(asJson) : [node];
  return options.flatMap((option) => [
    ...Object.entries(asJson(option.properties)).flatMap(([key, child]): [string, Json][] => [
      [`${path}${key}`, asJson(child)],
      ...properties(asJson(child), `${path}${key}.`),
    ]),
    ...properties(asJson(option.items), `${path}[].`),
    ...properties(asJson(option.additionalProperties), `${path}<name>.`),
  ]);
}

describe("serviceSpecJsonSchema", () => {
  const schema = serviceSpecJsonSchema();

  it("is a draft 2020-12 schema with an id and a title", () => {
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.$id).toBe("https://slipway.dev/schemas/slipway.json");
    expect(schema.title).toBe("slipway.yaml");
    expect(schema.required).toEqual(["service", "start"]);
    expect(schema.additionalProperties).toBe(false);
  });

  it("takes another $id when asked", () => {
    expect(serviceSpecJsonSchema({ id: "http://127.0.0.1:7700/api/v1/schema/slipway.json" }).$id).toBe(
      "http://127.0.0.1:7700/api/v1/schema/slipway.json",
    );
  });

  it("describes every field", () => {
    const all = properties(schema);
    expect(all.length).toBeGreaterThan(60);
    const undescribed = all.filter(([, node]) => typeof node.description !== "string").map(([path]) => path);
    expect(undescribed).toEqual([]);
  });

  it("shows the input side: durations and sizes as the strings users type, with defaults", () => {
    const [, period] = properties(schema).find(([path]) => path === "health.readiness.period") ?? [];
    expect(period).toMatchObject({ type: "string", default: "10s", examples: ["10s"] });
    expect(new RegExp(String(period?.pattern)).test("1m30s")).toBe(true);
    expect(new RegExp(String(period?.pattern)).test("10")).toBe(false);
    const [, memory] = properties(schema).find(([path]) => path === "resources.memory") ?? [];
    expect(memory).toMatchObject({ type: "string", examples: ["256Mi", "1Gi", "512M"] });
  });

  it("is plain JSON", () => {
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });
});
