/**
 * Word order, the little a bag of words can keep (round 5): which pairs of terms stand next to each
 * other in an article. Every two neighbouring tokens (stop words dropped, as for indexing) give the
 * pairs of their terms (stem and glossary concepts); an article keeps them as sorted 32-bit hashes,
 * one flat array for the whole knowledge base (CSR: `pairStart[d] .. pairStart[d+1]`), about 1 kB per
 * article, built on first use (`phrasePairs` in search-index.ts). A query's `phrase` feature is the share of its neighbouring word pairs that some pair of
 * the article matches (either order, through either language's stem or a concept): `record a teams
 * meeting` does not become `teams … meeting recording`, and a question whose words an article uses
 * only far apart reads as less answered. Off by default (round 5: `PHRASE_CALIBRATION` in calibration.ts).
 */

/** Order-free hash of two term ids (murmur-style mixing; collisions ≈ pairs per article / 2^32). */
export function pairHash(a: number, b: number): number {
  const lo = a < b ? a : b;
  const hi = a < b ? b : a;
  let h = Math.imul(lo + 1, 0x9e3779b1) ^ Math.imul(hi + 1, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}

/** Hashes of the pairs between two neighbouring tokens' term ids (same term twice: no pair). */
export function pairsBetween(left: readonly number[], right: readonly number[], out: number[]): void {
  for (const a of left) for (const b of right) if (a !== b) out.push(pairHash(a, b));
}

/** Collects articles' pair hashes into one sorted, de-duplicated CSR table. */
export class PairTable {
  private hashes = new Uint32Array(1 << 16);
  private n = 0;
  private readonly starts: number[] = [0];

  /** Adds the next article's pair hashes (any order, duplicates allowed). */
  addDoc(pairs: number[]): void {
    const sorted = Uint32Array.from(pairs).sort();
    let last = -1;
    for (const h of sorted) {
      if (h === last) continue;
      last = h;
      if (this.n === this.hashes.length) {
        const grown = new Uint32Array(this.hashes.length * 2);
        grown.set(this.hashes);
        this.hashes = grown;
      }
      this.hashes[this.n++] = h;
    }
    this.starts.push(this.n);
  }

  finish(): { pairStart: Int32Array; pairs: Uint32Array } {
    return { pairStart: Int32Array.from(this.starts), pairs: this.hashes.slice(0, this.n) };
  }
}

/** Whether article `doc` has the pair hash `h` (binary search in its slice). */
export function hasPair(pairStart: Int32Array, pairs: Uint32Array, doc: number, h: number): boolean {
  let lo = pairStart[doc]!;
  let hi = pairStart[doc + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const v = pairs[mid]!;
    if (v === h) return true;
    if (v < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Share of the query's neighbouring pairs (`queryPairs`: per pair, the hashes of its alternatives) that
 * article `doc` has; 0 when the query has no pair (one word).
 */
export function phraseShare(table: { pairStart: Int32Array; pairs: Uint32Array }, queryPairs: readonly number[][], doc: number): number {
  const { pairStart, pairs } = table;
  if (!queryPairs.length) return 0;
  let hit = 0;
  for (const alts of queryPairs) {
    for (const h of alts) {
      if (hasPair(pairStart, pairs, doc, h)) { hit++; break; }
    }
  }
  return hit / queryPairs.length;
}
