// The search keeps only its best candidates (kb/top.ts); it must pick exactly what sorting them all would.
import { describe, expect, it } from 'vitest';
import { topPositions } from '../../kb/top.js';

/** What the search did before `topPositions`: a stable sort of every candidate, then the first n. */
const stableTop = (keys: number[], n: number): number[] => keys.map((k, i) => ({ k, i })).sort((a, b) => b.k - a.k).slice(0, n).map((x) => x.i);

describe('topPositions', () => {
  it('equals a stable sort of all keys cut to n, ties in their first order', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 300; trial++) {
      const m = Math.floor(rnd() * 60);
      // Few distinct values, so that ties are common (equal BM25F scores of synthesised articles).
      const keys = Array.from({ length: m }, () => Math.floor(rnd() * 6) / 2);
      const n = Math.floor(rnd() * 12);
      const buf = new Float64Array(m + 5).fill(99); // entries past m must be ignored
      buf.set(keys);
      expect(topPositions(buf, m, n)).toEqual(stableTop(keys, n));
    }
  });

  it('returns nothing for n = 0 or no keys', () => {
    expect(topPositions(new Float64Array([3, 1]), 2, 0)).toEqual([]);
    expect(topPositions(new Float64Array(4), 0, 3)).toEqual([]);
  });
});
