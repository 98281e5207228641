/** Shorter values would mask ordinary words and numbers; GitHub Actions draws the line similarly. */
const minimumMaskedLength = 4;

/** Where a log line was cut: a line over 64 KiB is stored in pieces, and a secret may span a cut. */
export interface PieceEdges {
  /** The piece was cut at its end: it continues in the next one. */
  truncated?: boolean;
  /** The piece continues the previous one. */
  continued?: boolean;
}

/** Masks a text; given a piece of a cut line, also what may be part of a secret at either cut. */
export type SecretMask = (text: string, piece?: PieceEdges) => string;

/**
 * Replaces every secret value in a text with `***`, like GitHub Actions does in job logs: an app
 * that prints its own database password must not make the log API a way to read secrets.
 */
export function secretMasker(values: Iterable<string>): SecretMask {
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
  return (text, piece) => {
    let masked = text;
    for (const secret of secrets) {
      if (masked.includes(secret)) {
        masked = masked.split(secret).join("***");
      }
    }
    // Each piece is masked alone, so a secret cut in two is whole in neither: what could be its
    // start (at a cut end) or its rest (at a cut start) goes too. Masking a little more at a cut
    // costs a few characters of a 64 KiB line; masking less shows part of a secret.
    if (piece?.truncated === true) {
      masked = maskEnd(masked, secrets);
    }
    if (piece?.continued === true) {
      masked = maskStart(masked, secrets);
    }
    return masked;
  };
}

/** Masks the longest end of the text that is the start of a secret. */
function maskEnd(text: string, secrets: readonly string[]): string {
  let longest = 0;
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, text.length); length > longest; length--) {
      if (text.endsWith(secret.slice(0, length))) {
        longest = length;
        break;
      }
    }
  }
  return longest === 0 ? text : `${text.slice(0, text.length - longest)}***`;
}

/** Masks the longest start of the text that is the end of a secret. */
function maskStart(text: string, secrets: readonly string[]): string {
  let longest = 0;
  for (const secret of secrets) {
    for (let length = Math.min(secret.length - 1, text.length); length > longest; length--) {
      if (text.startsWith(secret.slice(secret.length - length))) {
        longest = length;
        break;
      }
    }
  }
  return longest === 0 ? text : `***${text.slice(longest)}`;
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
