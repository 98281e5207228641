import { posix } from "node:path";
import * as z from "zod";
import { DURATION_PATTERN, parseDuration } from "../durations.js";
import { DNS_LABEL_PATTERN, ENV_VAR_NAME_PATTERN, ROUTE_HOST_PATTERN } from "../names.js";
import {
  CPU_PATTERN,
  cpuFromNumber,
  MEMORY_PATTERN,
  parseCpuQuantity,
  parseMemoryQuantity,
} from "../quantities.js";

/*
 * Building blocks shared by the spec sections. Each carries its own "expected ..." message; the parser
 * appends what was found, so every error reads `expected X, found Y`.
 */

/**
 * An issue about a value that the parser reports with what was found appended, like zod's own type
 * issues. Plain custom issues (cross-field rules) read better without it.
 */
export function valueIssue(message: string, input: unknown) {
  return { code: "custom" as const, message, input, params: { showFound: true } };
}

export const DURATION_EXPECTED = 'expected a duration like "10s" or "5m"';
export const MEMORY_EXPECTED = 'expected a memory size like "256Mi" or "1Gi"';
export const CPU_EXPECTED = 'expected a CPU amount like 0.5, 2 or "500m"';
export const DNS_LABEL_EXPECTED =
  "expected a DNS label: lowercase letters, digits and '-', starting with a letter, at most 63 characters";
export const ENV_VAR_NAME_EXPECTED =
  "expected an environment variable name (letters, digits and '_', not starting with a digit)";

/** A duration string (`30s`, `1m30s`), parsed to milliseconds. */
export const durationSchema = z
  .string({ error: DURATION_EXPECTED })
  .regex(new RegExp(DURATION_PATTERN), { error: DURATION_EXPECTED })
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.issues.push(valueIssue(`${DURATION_EXPECTED} (this one is too long)`, text));
      return z.NEVER;
    }
    return ms;
  });

/**
 * A duration of at least `minMs` (Kubernetes refuses probe periods and timeouts under a second;
 * Slipway allows less, for fast deploys, but not 0, which would check in a tight loop).
 */
export function durationAtLeast(minMs: number, shown: string) {
  return durationSchema.superRefine((ms, ctx) => {
    if (ms < minMs) {
      ctx.addIssue({ code: "custom", message: `must be at least ${shown}, found ${ms} ms` });
    }
  });
}

/** A memory quantity (`256Mi`, `1G`), parsed to bytes. */
export const memorySchema = z
  .string({ error: MEMORY_EXPECTED })
  .regex(new RegExp(MEMORY_PATTERN), { error: MEMORY_EXPECTED })
  .transform((text, ctx) => {
    const bytes = parseMemoryQuantity(text);
    if (bytes === undefined || bytes === 0) {
      ctx.issues.push(valueIssue("must be greater than 0", text));
      return z.NEVER;
    }
    return bytes;
  });

/** CPU as cores (`0.5`, `2`) or millicores (`"500m"`), parsed to cores. */
export const cpuSchema = z
  .union([z.number(), z.string().regex(new RegExp(CPU_PATTERN), { error: CPU_EXPECTED })], {
    error: CPU_EXPECTED,
  })
  .transform((value, ctx) => {
    const cores = typeof value === "number" ? cpuFromNumber(value) : parseCpuQuantity(value);
    if (cores === undefined || cores === 0) {
      ctx.issues.push(valueIssue(cores === 0 ? "must be greater than 0" : CPU_EXPECTED, value));
      return z.NEVER;
    }
    return cores;
  });

/** A lowercase DNS label starting with a letter: names that are safe in hostnames, paths and processes. */
export const dnsLabelSchema = z
  .string({ error: DNS_LABEL_EXPECTED })
  .regex(new RegExp(DNS_LABEL_PATTERN), { error: DNS_LABEL_EXPECTED });

/** An environment variable name. */
export const envVarNameSchema = z
  .string({ error: ENV_VAR_NAME_EXPECTED })
  .regex(new RegExp(ENV_VAR_NAME_PATTERN), { error: ENV_VAR_NAME_EXPECTED });

/**
 * A string value for env, labels and annotations. Numbers and booleans are accepted and turned into
 * strings; the YAML reader hands over their text exactly as written, so `01234` stays "01234".
 */
export const stringValueSchema = z
  .union([z.string(), z.number(), z.boolean()], { error: "expected a string" })
  .transform((value) => (typeof value === "string" ? value : String(value)));

/** A shell command, run with `sh -c`. Surrounding whitespace (a YAML block's last newline) is dropped. */
export const commandSchema = z.string().trim().min(1);

/** A TCP port number. */
export const portSchema = z.int().min(1).max(65535);

/** A URL path prefix. */
export const urlPathSchema = z.string().regex(/^\/[^\s?#]*$/, {
  error: 'expected a path that starts with "/" (no spaces, "?" or "#"), like "/api"',
});

/** A hostname for routing, lowercased. */
export const routeHostSchema = z
  .string()
  .max(253)
  .regex(new RegExp(ROUTE_HOST_PATTERN), {
    error: 'expected a hostname like "api.example.com" or "*.example.com"',
  })
  .transform((host) => host.toLowerCase());

/** A directory relative to the repository root that stays inside it, normalised (`./web/` becomes `web`). */
export const relativeDirSchema = z
  .string()
  .min(1)
  .transform((dir, ctx) => {
    const normalised = posix.normalize(dir).replace(/\/+$/, "") || ".";
    if (posix.isAbsolute(normalised) || normalised === ".." || normalised.startsWith("../")) {
      ctx.issues.push(valueIssue('expected a directory inside the repository, like "." or "web"', dir));
      return z.NEVER;
    }
    return normalised;
  });

const PERCENT_OR_COUNT_EXPECTED = 'expected a whole number or a percentage like "25%"';

/** A replica count or a percentage of the desired replicas (`"25%"`), as in Kubernetes rollouts. */
export const countOrPercentSchema = z.union(
  [
    z.int().min(0),
    z.string().regex(/^(?:100|[1-9]?\d)%$/, { error: `${PERCENT_OR_COUNT_EXPECTED} between 0% and 100%` }),
  ],
  { error: PERCENT_OR_COUNT_EXPECTED },
);
