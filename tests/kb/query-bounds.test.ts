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

  it('a 100k-character query of any kind costs less than 20× a normal query', () => {
    const normal = 'my vpn says authentication failed after I changed my password';
    kb.search(normal);
    // Mean of ten normal searches per run (one takes about 0.1 ms: too short to time alone).
    let tNormal = Infinity;
    for (let r = 0; r < 5; r++) {
      const c = process.cpuUsage();
      for (let i = 0; i < 10; i++) kb.search(normal);
      const d = process.cpuUsage(c);
      tNormal = Math.min(tNormal, (d.user + d.system) / 1000 / 10);
    }
    const cases: Record<string, () => string> = {
      ...Object.fromEntries(Object.entries(FRAGMENTS).map(([name, f]) => [name, () => adversarial(f, HUGE)])),
      'unknown words (typo lookup, cold)': () => unknownWords(HUGE),
      'every word of the articles': () => vocabulary(HUGE),
    };
    const slow: string[] = [];
    for (const [name, make] of Object.entries(cases)) {
      const t = cpu(make);
      if (t >= 20 * tNormal) slow.push(`${name}: ${t.toFixed(2)} ms vs ${tNormal.toFixed(3)} ms for a normal query`);
    }
    expect(slow).toEqual([]);
  });
});
