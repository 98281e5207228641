import { usageError } from "./cli-error.js";

/**
 * A whole number within bounds, as a command-line value; otherwise a usage error naming it.
 *
 * @example parseCount("3", "replicas", 0, 100) // 3
 */
export function parseCount(text: string, what: string, min: number, max: number): number {
  const value = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw usageError(
      `${what} ${JSON.stringify(text)} is not a whole number from ${min} to ${max}`,
      `e.g. ${Math.min(max, Math.max(min, 3))}`,
    );
  }
  return value;
}
