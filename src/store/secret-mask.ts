/** Shorter values would mask ordinary words and numbers; GitHub Actions draws the line similarly. */
const minimumMaskedLength = 4;

/**
 * Replaces every secret value in a text with `***`, like GitHub Actions does in job logs: an app
 * that prints its own database password must not make the log API a way to read secrets.
 */
export function secretMasker(values: Iterable<string>): (text: string) => string {
  // Logs are kept and shown line by line: a multi-line value (a PEM key, JSON credentials) is
  // masked line by line too, as GitHub Actions does, or no single log line would ever match it.
  // Only lines that look like key material, though: a JSON line such as `"debug": false` or a
  // PEM header would mask the same words wherever any app prints them.
  const all = [...values];
  const pieces = all.flatMap((v) => (v.includes("\n") ? keyMaterialIn(v) : []));
  const secrets = [...new Set([...all, ...pieces])]
    .filter((v) => v.length >= minimumMaskedLength)
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) {
    return (text) => text;
  }
  return (text) => {
    let masked = text;
    for (const secret of secrets) {
      if (masked.includes(secret)) {
        masked = masked.split(secret).join("***");
      }
    }
    return masked;
  };
}

/**
 * The parts of a multi-line secret worth masking alone: long runs without spaces (base64 lines
 * of a PEM body, a JSON field's token value, without its quotes and comma), not its headers.
 */
function keyMaterialIn(value: string): string[] {
  return value
    .split(/\s+/)
    .map((word) => word.replace(/^["',:{}[\]]+|["',:{}[\]]+$/g, ""))
    .filter((word) => word.length >= 16 && !/^-{3,}|-{3,}$/.test(word));
}
