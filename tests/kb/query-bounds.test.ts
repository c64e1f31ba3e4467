/**
 * KB search analyses a bounded prefix of any query (`kb/query-bounds.ts`), so no text blocks the
 * event loop for long: a 100k-character request costs about what a normal one does.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { queryKey } from '../../kb/feedback.js';
import { openKnowledgeBase } from '../../kb/open-kb.js';
import { MAX_QUERY_CHARS, MAX_QUERY_WORDS, boundQuery } from '../../kb/query-bounds.js';
import { queryUnits } from '../../kb/search.js';
import type { SearchKnowledgeBase } from '../../kb/knowledge-base.js';
import { adversarial, FRAGMENTS } from '../hardening/text-entry-points.js';

const HUGE = 100_000;
let kb: SearchKnowledgeBase;

/** Nonsense words that no article has, different on every call (so typo lookup runs cold). */
let seed = 1;
function unknownWords(n: number): string {
  const out: string[] = [];
  let len = 0;
  while (len < n) {
    let w = '';
    for (let j = 0; j < 9; j++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      w += String.fromCharCode(97 + ((seed >>> 16) % 26));
    }
    out.push(w);
    len += w.length + 1;
  }
  return out.join(' ').slice(0, n);
}

/** The whole vocabulary of the articles, repeated: every word a distinct unit with postings. */
const vocabulary = (n: number): string => [...kb.index.surfaceStem.keys()].join(' ').repeat(50).slice(0, n);

/** Lowest CPU time (ms) of `runs` calls; `make` builds each call's query outside the timing. */
function cpu(make: () => string, runs = 5): number {
  let min = Infinity;
  for (let r = 0; r < runs; r++) {
    const q = make();
    const c = process.cpuUsage();
    kb.search(q);
    const d = process.cpuUsage(c);
    min = Math.min(min, (d.user + d.system) / 1000);
  }
  return min;
}

beforeAll(async () => {
  ({ kb } = await openKnowledgeBase({ dir: 'kb/articles' }));
});

describe('query bounds', () => {
  it('cuts at the bound without splitting a surrogate pair', () => {
    expect(boundQuery('short')).toBe('short');
    expect(boundQuery('a'.repeat(MAX_QUERY_CHARS + 10))).toHaveLength(MAX_QUERY_CHARS);
    const emoji = `${'a'.repeat(MAX_QUERY_CHARS - 1)}👍 more`;
    expect(boundQuery(emoji)).toBe('a'.repeat(MAX_QUERY_CHARS - 1));
  });

  it('a long request is searched as its start: same results, same feedback key, at most MAX_QUERY_WORDS words', () => {
    const inputs = [...Object.values(FRAGMENTS).map((f) => adversarial(f, HUGE)), unknownWords(HUGE), vocabulary(HUGE)];
    for (const q of inputs) {
      const start = q.slice(0, MAX_QUERY_CHARS);
      expect(kb.search(q)).toEqual(kb.search(start));
      expect(queryKey(q)).toBe(queryKey(start));
      expect(queryUnits(kb.index, q).length).toBeLessThanOrEqual(MAX_QUERY_WORDS);
    }
    // The vocabulary input has far more distinct words than the bound: the cap is what applies.
    expect(queryUnits(kb.index, vocabulary(HUGE))).toHaveLength(MAX_QUERY_WORDS);
  });

  // CPU time, lowest of several runs. Two comparisons that noise cannot flip: the huge query against its own first
  // MAX_QUERY_CHARS characters (same kind of words, as cold: the tail may cost one linear pass — about 1 ms for 100k
  // combining marks — and nothing more), and an absolute ceiling far above what the bounded start costs (0.5–5 ms here). A ratio to a normal 10-word query was tried first and flaked:
  // 32 cold unknown words cost 5–35× a warm normal query from one run to the next on the same code.
  it('a 100k-character query of any kind costs about what its first 2,000 characters cost, and a few ms at most', () => {
    const cases: Record<string, () => string> = {
      ...Object.fromEntries(Object.entries(FRAGMENTS).map(([name, f]) => [name, () => adversarial(f, HUGE)])),
      'unknown words (typo lookup, cold)': () => unknownWords(HUGE),
      'every word of the articles': () => vocabulary(HUGE),
    };
    const slow: string[] = [];
    for (const [name, make] of Object.entries(cases)) {
      kb.search(make()); // compiled before it is timed
      const huge = cpu(make, 7);
      const start = cpu(() => make().slice(0, MAX_QUERY_CHARS), 7);
      if (huge >= 3 * start + 2) slow.push(`${name}: ${huge.toFixed(2)} ms vs ${start.toFixed(2)} ms for its first ${MAX_QUERY_CHARS} characters`);
      if (huge >= 25) slow.push(`${name}: ${huge.toFixed(2)} ms (ceiling 25 ms)`);
    }
    expect(slow).toEqual([]);
  });
});
