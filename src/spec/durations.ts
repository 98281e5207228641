/**
 * Durations as users write them in slipway.yaml: `500ms`, `30s`, `5m`, `1h`, `1m30s`, `2d`.
 * Units go from largest to smallest, each at most once, with whole numbers only — the
 * Prometheus duration syntax minus weeks and years, so the same text works in alert rules.
 */

const UNITS = [
  { suffix: "d", ms: 86_400_000 },
  { suffix: "h", ms: 3_600_000 },
  { suffix: "m", ms: 60_000 },
  { suffix: "s", ms: 1_000 },
  { suffix: "ms", ms: 1 },
] as const;

/**
 * The strict duration syntax as a regular expression source, shared by the parser and the JSON Schema
 * `pattern` so editors flag the same strings the parser rejects. The leading lookahead rules out "".
 */
export const DURATION_PATTERN = "^(?=\\d)(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m(?!s))?(?:(\\d+)s)?(?:(\\d+)ms)?$";

const DURATION_REGEX = new RegExp(DURATION_PATTERN);

/**
 * Parses a duration string into milliseconds, or returns undefined when the text is not a strict duration
 * (bare numbers, decimals, unknown units, units out of order, negative values).
 *
 * @example parseDuration("1m30s") // 90000
 * @example parseDuration("10") // undefined: a unit is required
 */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_REGEX.exec(text);
  if (!match) {
    return undefined;
  }
  let total = 0;
  UNITS.forEach((unit, index) => {
    const digits = match[index + 1];
    if (digits !== undefined) {
      total += Number(digits) * unit.ms;
    }
  });
  return Number.isSafeInteger(total) ? total : undefined;
}

/**
 * Formats milliseconds as the shortest duration string that parses back to the same value.
 *
 * @example formatDuration(90_000) // "1m30s"
 * @example formatDuration(0) // "0s"
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`formatDuration expects a whole, non-negative number of milliseconds, got ${ms}`);
  }
  if (ms === 0) {
    return "0s";
  }
  let rest = ms;
  let text = "";
  for (const unit of UNITS) {
    const count = Math.floor(rest / unit.ms);
    if (count > 0) {
      text += `${count}${unit.suffix}`;
      rest -= count * unit.ms;
    }
  }
  return text;
}
