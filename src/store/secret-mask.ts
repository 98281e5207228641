/** Shorter values would mask ordinary words and numbers; GitHub Actions draws the line similarly. */
const minimumMaskedLength = 4;

/**
 * Replaces every secret value in a text with `***`, like GitHub Actions does in job logs: an app
 * that prints its own database password must not make the log API a way to read secrets.
 */
export function secretMasker(values: Iterable<string>): (text: string) => string {
  // Logs are kept and shown line by line: a multi-line value (a PEM key, JSON credentials) is
  // masked line by line too, as GitHub Actions does, or no single log line would ever match it.
  const secrets = [
    ...new Set([...values].flatMap((v) => [v, ...v.split(/\r?\n/).map((line) => line.trim())])),
  ]
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
