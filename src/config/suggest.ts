/**
 * "Did you mean" for misspelt keys and names, by edit distance.
 *
 * @module
 */

/** Edit distance (insertions, deletions, substitutions, swaps of neighbours), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => [i]);
  for (let j = 1; j <= y.length; j++) d[0][j] = j;
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[x.length][y.length];
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo
 * (at most a third of the word's length, at least 1 edit; a case-only
 * difference for one-letter words); else the one candidate that begins or ends with `word` (3
 * letters or more: "warn" → "warning", "TERM" → "SIGTERM").
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const limit = word.length < 2 ? 0 : Math.max(1, Math.floor(word.length / 3));
  if (bestDistance <= limit) return best;
  if (word.length < 3) return undefined;
  const w = word.toLowerCase();
  const partial = candidates.filter((c) =>
    c.toLowerCase().startsWith(w) || c.toLowerCase().endsWith(w)
  );
  return partial.length === 1 ? partial[0] : undefined;
}

/** ` (did you mean "x"?)` or "" when nothing is close. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const hit = suggest(word, candidates);
  return hit === undefined ? "" : ` (did you mean "${hit}"?)`;
}
