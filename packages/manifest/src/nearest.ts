/** Levenshtein edit distance between two strings. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The candidate closest to `word` (ties: first), or undefined when none is within a useful distance. */
export function nearestWord(word: string, candidates: Iterable<string>): string | undefined {
  // Suggestions are a courtesy: skip them for absurd inputs rather than spend quadratic time.
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
