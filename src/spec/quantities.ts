/**
 * Resource quantities in the Kubernetes notation users already know: memory as `256Mi`, `1Gi`, `512M`,
 * CPU as `0.5`, `2` or `500m`. Parsing is strict: `256MB`, `-1Gi` and `1.5.2` are rejected rather than
 * guessed at.
 */

const MEMORY_FACTORS: Record<string, number> = {
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Memory syntax for the JSON Schema `pattern`: a number with a required binary or decimal unit. */
export const MEMORY_PATTERN = "^\\d+(?:\\.\\d+)?(?:[kMGTPE]|[KMGTPE]i)$";

/** CPU syntax for the JSON Schema `pattern`: cores with up to three decimals, or whole millicores. */
export const CPU_PATTERN = "^(?:\\d+(?:\\.\\d{1,3})?|\\d+m)$";

const MEMORY_REGEX = /^(\d+(?:\.\d+)?)([kMGTPE]|[KMGTPE]i)$/;
const CPU_CORES_REGEX = /^\d+(?:\.\d{1,3})?$/;
const CPU_MILLI_REGEX = /^(\d+)m$/;

/**
 * Parses a memory quantity into bytes (rounded up, as Kubernetes does), or undefined when it is not a
 * quantity with a unit. A bare number is rejected on purpose: `memory: 512` almost always means 512Mi.
 *
 * @example parseMemoryQuantity("256Mi") // 268435456
 * @example parseMemoryQuantity("256MB") // undefined
 */
export function parseMemoryQuantity(text: string): number | undefined {
  const match = MEMORY_REGEX.exec(text);
  const factor = match?.[2] === undefined ? undefined : MEMORY_FACTORS[match[2]];
  if (!match?.[1] || factor === undefined) {
    return undefined;
  }
  const bytes = Math.ceil(Number(match[1]) * factor);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/**
 * Parses a CPU quantity (`"0.5"`, `"2"`, `"500m"`) into cores, or undefined when it is malformed or finer
 * than a millicore.
 *
 * @example parseCpuQuantity("500m") // 0.5
 */
export function parseCpuQuantity(text: string): number | undefined {
  const milli = CPU_MILLI_REGEX.exec(text);
  if (milli?.[1] !== undefined) {
    return toCores(Number(milli[1]));
  }
  if (CPU_CORES_REGEX.test(text)) {
    return toCores(Math.round(Number(text) * 1000));
  }
  return undefined;
}

/** CPU given as a YAML/JSON number (`cpu: 0.5`): accepted when it has at most three decimals. */
export function cpuFromNumber(value: number): number | undefined {
  const millicores = Math.round(value * 1000);
  const exact = Math.abs(millicores - value * 1000) < 1e-6;
  return value >= 0 && exact ? toCores(millicores) : undefined;
}

function toCores(millicores: number): number | undefined {
  // Dividing whole millicores keeps 0.1 as 0.1 instead of accumulating float error.
  return Number.isSafeInteger(millicores) ? millicores / 1000 : undefined;
}
