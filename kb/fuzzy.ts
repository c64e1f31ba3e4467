/**
 * Typo tolerance: finds known words close to a word the index has never seen. A trigram index over
 * the vocabulary (article words and glossary words) keeps the candidates few; fuse.js judges how close
 * each one is. `editDistance` stays for authoring checks (near-duplicate ids, tests).
 */
import Fuse from 'fuse.js';

export interface FuzzyVocab {
  words: string[];
  /** Document frequency per word (0 for glossary-only words). */
  df: Int32Array;
  grams: Map<string, Int32Array>;
  /** Word → its index in `words` (exact lookups: a word's neighbouring-letter swaps). */
  ids: Map<string, number>;
}

function gramsOf(w: string): string[] {
  const p = `^${w}$`;
  const out: string[] = [];
  for (let i = 0; i + 3 <= p.length; i++) out.push(p.slice(i, i + 3));
  return out;
}

export function buildFuzzyVocab(entries: Map<string, number>): FuzzyVocab {
  const steps = fuzzyVocabSteps(entries);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** {@link buildFuzzyVocab} as a generator that yields every 1024 words (the index build's async driver, search-index.ts). */
export function* fuzzyVocabSteps(entries: Map<string, number>): Generator<void, FuzzyVocab, void> {
  const words = [...entries.keys()].filter((w) => w.length >= 3 && !/^\d+$/.test(w));
  const df = new Int32Array(words.length);
  const tmp = new Map<string, number[]>();
  for (let i = 0; i < words.length; i++) {
    if ((i & 1023) === 1023) yield;
    const w = words[i]!;
    df[i] = entries.get(w) ?? 0;
    for (const g of new Set(gramsOf(w))) {
      let l = tmp.get(g);
      if (!l) tmp.set(g, (l = []));
      l.push(i);
    }
  }
  yield;
  const grams = new Map<string, Int32Array>();
  for (const [g, l] of tmp) grams.set(g, Int32Array.from(l));
  return { words, df, grams, ids: new Map(words.map((w, i) => [w, i])) };
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

/** Allowed edits for a word of this length: none under 4 letters, 1 up to 8, then 2. */
export const maxEdits = (len: number): number => (len < 4 ? 0 : len < 9 ? 1 : 2);

/** Variants of the typo matcher (switches of `MODE` in search.ts, seventh session). */
export interface FuzzyOptions {
  /**
   * Score a candidate by the optimal-string-alignment distance too (a swap of neighbouring letters is
   * one edit), taking the lower of it and fuse.js's: Bitap counts `lpatop` → `laptop` as two errors,
   * 0.33 per letter, and rejects it.
   */
  transpositions?: boolean;
  /** A 3-letter word may reach a 4-letter one by one missing letter (`wii` → `wifi`, `ful` → `full`). */
  threeLetters?: boolean;
  /**
   * A second, looser tier (eighth session): when no word is within `FUZZY_MAX_SCORE`, a word at most
   * two edits away (`LOOSE_MAX_SCORE` errors per letter: `citidx` → `citrix`, `rmtoo` → `remoto`) for
   * which `loose` says yes — the search allows only what the articles' titles and tags use.
   */
  loose?: (word: string) => boolean;
}

export interface FuzzyHit {
  word: string;
  /** 1 for a near-certain correction (about one edit), 2 for a looser one. */
  distance: number;
  /** fuse.js score (errors per letter), at least the length difference per letter: 0 is identical. */
  score: number;
  /** A correction of the loose tier (`FuzzyOptions.loose`): two edits, only when nothing closer was found. */
  loose?: boolean;
}

/** How many trigram-sharing words fuse.js compares the query word with. */
const CANDIDATES = 48;
/** Highest accepted score (errors per letter). */
export const FUZZY_MAX_SCORE = 0.3;
/** Highest score of the loose tier (`FuzzyOptions.loose`): two edits in a word of five letters. */
export const LOOSE_MAX_SCORE = 0.4;
/** Scores up to this count as a one-edit correction. */
const CLOSE_SCORE = 0.2;

const fuseOptions = { includeScore: true, ignoreLocation: true, isCaseSensitive: true, threshold: FUZZY_MAX_SCORE, shouldSort: true } as const;

/**
 * Up to `limit` known words close to `w`, best first, then the most common. The trigram index picks
 * a bounded set of candidates (words sharing the most trigrams, of similar length); fuse.js scores
 * them (Bitap: errors per letter, any position); letters the candidate has in excess count as errors
 * too, so a short word does not match inside a long one (`pin` in `pinging`).
 */
export function fuzzyLookup(v: FuzzyVocab, w: string, limit = 3, opts: FuzzyOptions = {}): FuzzyHit[] {
  const three = opts.threeLetters === true && w.length === 3;
  if ((three ? 1 : maxEdits(w.length)) === 0 || w.length > 32) return [];
  // Words sharing trigrams with `w`, and how many: both passes pick their candidates from these, so the
  // count (a map of thousands of entries at 10k articles) is made once.
  const counts = new Map<number, number>();
  for (const g of new Set(gramsOf(w))) {
    const list = v.grams.get(g);
    if (!list) continue;
    for (let k = 0; k < list.length; k++) {
      const id = list[k]!;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  const hits = lookupPass(v, w, counts, limit, opts, undefined);
  if (hits.length || three || w.length < 5 || !opts.loose) return hits;
  // The loose tier is a second pass, only for a word the first found nothing for; all it finds is loose
  // (also a candidate that passes the first pass's test but only entered the pool through the wider length slack).
  return lookupPass(v, w, counts, limit, opts, opts.loose).map((h) => ({ ...h, loose: true }));
}

function lookupPass(v: FuzzyVocab, w: string, counts: ReadonlyMap<number, number>, limit: number, opts: FuzzyOptions, loose: FuzzyOptions['loose']): FuzzyHit[] {
  const three = opts.threeLetters === true && w.length === 3;
  const max = three ? 1 : maxEdits(w.length);
  // The loose tier reaches two edits: two letters left out or added, too.
  const lengthSlack = loose ? Math.max(max, 2) : max;
  const near: Array<{ id: number; c: number }> = [];
  for (const [id, c] of counts) {
    const cand = v.words[id]!;
    if (cand === w || Math.abs(cand.length - w.length) > lengthSlack) continue;
    // A 3-letter word only reaches a 4-letter one (a letter left out), never another 3-letter word.
    if (three && cand.length !== 4) continue;
    near.push({ id, c });
  }
  near.sort((a, b) => b.c - a.c || v.df[b.id]! - v.df[a.id]!);
  const pool = near.slice(0, CANDIDATES).map((x) => x.id);
  // A swap of neighbouring letters in a short word leaves few trigrams in common (`flul` and `full`
  // share none): the word's swaps that are known words join the pool (one lookup per letter).
  if (opts.transpositions && !three) {
    for (let i = 0; i + 1 < w.length; i++) {
      if (w[i] === w[i + 1]) continue;
      const id = v.ids.get(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
      if (id !== undefined && !pool.includes(id)) pool.push(id);
    }
  }
  if (!pool.length) return [];
  const hits: Array<FuzzyHit & { df: number }> = [];
  const looseHits: typeof hits = [];
  if (three) {
    // fuse.js scores one missing letter of three at 0.33: the edit distance decides, as a loose correction.
    for (const id of pool) {
      const cand = v.words[id]!;
      if (editDistance(w, cand, 1) === 1) hits.push({ word: cand, distance: 2, score: FUZZY_MAX_SCORE, df: v.df[id]! });
    }
  } else {
    const fuse = new Fuse(pool.map((id) => v.words[id]!), fuseOptions);
    const fuseScore = new Map<number, number>();
    for (const r of fuse.search(w)) fuseScore.set(r.refIndex, r.score ?? 1);
    // fuse.js's matches first, in its order; with `transpositions` or `loose`, the rest of the pool after them.
    const order = [...fuseScore.keys()];
    if (opts.transpositions || loose) for (let i = 0; i < pool.length; i++) if (!fuseScore.has(i)) order.push(i);
    for (const i of order) {
      let fs = fuseScore.get(i);
      const cand = v.words[pool[i]!]!;
      // Bitap with `ignoreLocation` also accepts a word sharing a long stretch with a longer one
      // (`cantina` in `pegatina`): at most one edit more than the word's length allows.
      const d = editDistance(w, cand, Math.max(max + 1, lengthSlack));
      if (d > max + 1 && !(loose && d <= 2)) continue;
      if (opts.transpositions || loose) fs = Math.min(fs ?? 1, d / w.length);
      // fuse.js counts errors inside the best-matching stretch; letters left over count too.
      const score = Math.max(fs!, Math.abs(cand.length - w.length) / w.length);
      const hit = { word: cand, distance: score <= CLOSE_SCORE ? 1 : 2, score, df: v.df[pool[i]!]! };
      if (score <= FUZZY_MAX_SCORE && d <= max + 1) hits.push(hit);
      else if (loose && d <= 2 && score <= LOOSE_MAX_SCORE && loose(cand)) looseHits.push(hit);
    }
  }
  if (!hits.length) hits.push(...looseHits);
  hits.sort((a, b) => a.score - b.score || b.df - a.df);
  return hits.slice(0, limit).map(({ word, distance, score }) => ({ word, distance, score }));
}
