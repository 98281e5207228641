const units = ["KiB", "MiB", "GiB", "TiB"];

/**
 * Bytes for people, in binary units as memory limits are written: `512 B`, `64 MiB`, `71.3 MiB`.
 * One decimal below 100 of a unit, none above; whole values drop the `.0`.
 *
 * @example formatBytes(67_108_864) // "64 MiB"
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 1024) {
    return `${Math.round(bytes)} B`;
  }
  let value = bytes;
  let unit = "B";
  for (const next of units) {
    if (value < 1024) {
      break;
    }
    value /= 1024;
    unit = next;
  }
  const rounded = value >= 100 ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, "");
  return `${rounded} ${unit}`;
}
