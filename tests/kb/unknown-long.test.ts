import { afterEach, describe, expect, it } from 'vitest';
import { evaluate, MODE } from '../../kb/search.js';
import { buildIndex } from '../../kb/search-index.js';
import { CLAUSE_ARTICLES } from './helpers.js';

const ARTICLES = CLAUSE_ARTICLES;
const saved = { ...MODE };
afterEach(() => Object.assign(MODE, saved));

const coverageOf = (q: string, id: string): { coverage: number; units: number; unknown: number } => {
  const ix = buildIndex(ARTICLES);
  const out = evaluate(ix, q);
  const doc = ix.articles.findIndex((a) => a.id === id);
  return { coverage: out.candidates.find((c) => c.doc === doc)?.coverage ?? 0, units: out.units.length, unknown: out.units.filter((u) => !u.known).length };
};

describe('unknown words in a long message (tenth session, h-chat4)', () => {
  // Context the knowledge base has no word for (a place, a trip, the weather) around a one-clause question.
  const long = 'so I just got back from a fortnight in tuscany with the grandkids, gorgeous weather, and of course I forgot my password';
  const short = 'forgot my password in tuscany';

  it('weigh less in a message of many query words, so out-of-KB context dilutes the coverage less', () => {
    MODE.unknownLongUnits = 0;
    const off = coverageOf(long, 'reset-password');
    expect(off.units).toBeGreaterThanOrEqual(8);
    expect(off.unknown).toBeGreaterThanOrEqual(3);
    MODE.unknownLongUnits = 8;
    MODE.unknownLongFactor = 0.25;
    const on = coverageOf(long, 'reset-password');
    expect(on.coverage).toBeGreaterThan(off.coverage + 0.1);
  });

  it('leave a short question alone: its unknown word may be what it asks about', () => {
    MODE.unknownLongUnits = 0;
    const off = coverageOf(short, 'reset-password');
    MODE.unknownLongUnits = 8;
    const on = coverageOf(short, 'reset-password');
    expect(off.unknown).toBe(1);
    expect(on.coverage).toBeCloseTo(off.coverage, 10);
  });

  it('is off by default: measured, not shipped (wrapped negatives, docs/kb-history.md tenth session)', () => {
    expect(saved.unknownLongUnits).toBe(0);
  });
});
