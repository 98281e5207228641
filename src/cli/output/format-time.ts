const units: Array<[suffix: string, seconds: number]> = [
  ["d", 86_400],
  ["h", 3_600],
  ["m", 60],
  ["s", 1],
];

/** Beyond this distance a date is clearer than a count of days. */
const FAR_SECONDS = 90 * 86_400;

/**
 * A timestamp as a short distance from now, for tables: `5m ago`, `in 29d`, `just now`; the date
 * (`2024-01-15`) when more than 90 days away; `fallback` (default `never`) for null.
 */
export function formatRelativeTime(iso: string | null | undefined, now: Date, fallback = "never"): string {
  if (iso === null || iso === undefined) {
    return fallback;
  }
  const at = Date.parse(iso);
  if (Number.isNaN(at)) {
    return iso;
  }
  const seconds = Math.round((at - now.getTime()) / 1000);
  if (Math.abs(seconds) >= FAR_SECONDS) {
    // "812d ago" says less than the date itself.
    return new Date(at).toISOString().slice(0, 10);
  }
  if (Math.abs(seconds) < 5) {
    return "just now";
  }
  const [suffix, size] = units.find(([, unit]) => Math.abs(seconds) >= unit) ?? ["s", 1];
  const amount = `${Math.floor(Math.abs(seconds) / size)}${suffix}`;
  return seconds < 0 ? `${amount} ago` : `in ${amount}`;
}
