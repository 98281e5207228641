import { closest, distance } from "fastest-levenshtein";

/**
 * The candidate a typo most likely meant, or undefined when none is close: at most one edit for short
 * words, about a third of the word for longer ones (`replica` -> `replicas`, `helth` -> `health`).
 */
export function didYouMean(typed: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) {
    return undefined;
  }
  const lowered = typed.toLowerCase();
  const best = closest(
    lowered,
    candidates.map((candidate) => candidate.toLowerCase()),
  );
  const match = candidates.find((candidate) => candidate.toLowerCase() === best);
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  return match !== undefined && distance(lowered, best) <= allowed ? match : undefined;
}
