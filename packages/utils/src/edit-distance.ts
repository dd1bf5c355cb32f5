/** Levenshtein edit distance between two strings (insertions, deletions, substitutions). */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The candidate closest to `word`, ignoring case (ties: the first), when it is close enough to be a
 * typo: at most 2 edits, or half the candidate's length. Undefined otherwise, and for absurd inputs
 * (over 64 characters, or past the first 2000 candidates): a suggestion is a courtesy, not worth quadratic time.
 */
export function nearestWord(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 64) return undefined;
  let best: string | undefined;
  let budget = 2000;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (budget-- === 0) break;
    if (c.length > 64) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(best.length / 2)) ? best : undefined;
}
