/** "Did you mean" suggestions by edit distance, for typos in ids, keys and options. */

/** "did you mean" for a misspelt key or id, by edit distance. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

export function editDistance(a: string, b: string): number {
  // One row of the table at a time: row[j] is the distance from a's first i - 1 letters to b's first j.
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  let last = b.length;
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    let left = i; // next[j - 1]
    let diagonal = i - 1; // row[j - 1]
    for (const [k, above] of row.slice(1).entries()) {
      left = Math.min(above + 1, left + 1, diagonal + (a[i - 1] === b[k] ? 0 : 1));
      next.push(left);
      diagonal = above;
    }
    row = next;
    last = left;
  }
  return last;
}
