/**
 * Typo tolerance: finds known words within a small edit distance (Damerau, adjacent swaps count
 * as one edit) of a word the index has never seen, using a trigram index over the vocabulary.
 */

export interface FuzzyVocab {
  words: string[];
  /** Document frequency per word (0 for glossary-only words). */
  df: Int32Array;
  grams: Map<string, Int32Array>;
}

function gramsOf(w: string): string[] {
  const p = `^${w}$`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= p.length; i++) out.push(p.slice(i, i + 3));
  return out;
}

export function buildFuzzyVocab(entries: Map<string, number>): FuzzyVocab {
  const words = [...entries.keys()].filter((w) => w.length >= 3 && !/^\d+$/.test(w));
  const df = new Int32Array(words.length);
  const tmp = new Map<string, number[]>();
  words.forEach((w, i) => {
    df[i] = entries.get(w) ?? 0;
    for (const g of new Set(gramsOf(w))) {
      let l = tmp.get(g);
      if (!l) tmp.set(g, (l = []));
      l.push(i);
    }
  });
  const grams = new Map<string, Int32Array>();
  for (const [g, l] of tmp) grams.set(g, Int32Array.from(l));
  return { words, df, grams };
}

/** Optimal-string-alignment distance, giving up early once it exceeds `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/** Allowed edits for a word of this length: none under 4 letters, 1 up to 8, then 2 (two edits on an 8-letter word reach too many unrelated words). */
export const maxEdits = (len: number): number => (len < 4 ? 0 : len < 9 ? 1 : 2);

export interface FuzzyHit {
  word: string;
  distance: number;
}

/** Up to `limit` known words close to `w`, nearest first, then the most common. */
export function fuzzyLookup(v: FuzzyVocab, w: string, limit = 3): FuzzyHit[] {
  const max = maxEdits(w.length);
  if (max === 0) return [];
  const qg = [...new Set(gramsOf(w))];
  // One edit changes at most 3 trigrams (an adjacent swap 4).
  const need = Math.max(1, qg.length - 4 * max);
  const counts = new Map<number, number>();
  for (const g of qg) {
    const list = v.grams.get(g);
    if (!list) continue;
    for (let k = 0; k < list.length; k++) {
      const id = list[k]!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  const hits: Array<FuzzyHit & { df: number }> = [];
  for (const [id, c] of counts) {
    if (c < need) continue;
    const cand = v.words[id]!;
    if (Math.abs(cand.length - w.length) > max || cand === w) continue;
    // Same first letter for short words: typos rarely hit the first letter, and it halves false hits.
    if (w.length < 6 && cand[0] !== w[0]) continue;
    const d = editDistance(w, cand, max);
    if (d <= max) hits.push({ word: cand, distance: d, df: v.df[id]! });
  }
  hits.sort((a, b) => a.distance - b.distance || b.df - a.df);
  return hits.slice(0, limit).map(({ word, distance }) => ({ word, distance }));
}
