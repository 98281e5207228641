import { toDnsLabel } from "./names.js";
import {
  CPU_EXPECTED,
  DNS_LABEL_EXPECTED,
  DURATION_EXPECTED,
  ENV_VAR_NAME_EXPECTED,
  MEMORY_EXPECTED,
} from "./schema/primitives.js";

/**
 * Hints for the common wrong values of a few value types, keyed by the "expected ..." message the schema
 * gave. They suggest the value the user most likely meant.
 */
export function hintForValue(message: string, found: unknown): string | undefined {
  if (message.startsWith(DURATION_EXPECTED)) {
    return durationHint(found);
  }
  if (message.startsWith(MEMORY_EXPECTED)) {
    return memoryHint(found);
  }
  if (message.startsWith(CPU_EXPECTED) && typeof found === "number" && found > 0) {
    return 'CPU is counted in millicores: use at most three decimals, or write it like "250m"';
  }
  if (message.startsWith(DNS_LABEL_EXPECTED) && typeof found === "string") {
    const label = toDnsLabel(found);
    return label === undefined
      ? undefined
      : `names end up in hostnames, paths and process names; try "${label}"`;
  }
  if (message.startsWith(ENV_VAR_NAME_EXPECTED) && typeof found === "string") {
    const name = found.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(\d)/, "_$1");
    return `try "${name}"`;
  }
  return undefined;
}

function durationHint(found: unknown): string {
  if (typeof found === "number" && Number.isInteger(found) && found >= 0) {
    return `add a unit: "${found}s" for seconds, "${found}ms" for milliseconds`;
  }
  return "write whole numbers with a unit (ms, s, m, h, d), largest first: 500ms, 30s, 1m30s, 2h";
}

const DECIMAL_MISTAKE = /^(\d+(?:\.\d+)?)\s*([kKmMgGtT])[bB]$/;

function memoryHint(found: unknown): string | undefined {
  if (typeof found === "number" && Number.isFinite(found) && found > 0) {
    return `add a unit, for example "${found}Mi" for ${found} mebibytes`;
  }
  const mistake = typeof found === "string" ? DECIMAL_MISTAKE.exec(found) : null;
  if (mistake?.[1] && mistake[2]) {
    const unit = mistake[2].toUpperCase() === "K" ? "K" : mistake[2].toUpperCase();
    const decimal = unit === "K" ? "k" : unit;
    return `write "${mistake[1]}${unit}i" (powers of 1024) or "${mistake[1]}${decimal}" (powers of 1000)`;
  }
  return "binary units Ki, Mi, Gi, Ti or decimal units k, M, G, T, after a positive number";
}
