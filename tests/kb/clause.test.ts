import { afterEach, describe, expect, it } from 'vitest';
import { clauseCoverage, evaluate, MODE } from '../../kb/search.js';
import { buildIndex } from '../../kb/search-index.js';
import { clauseOfWords, words } from '../../kb/text.js';
import { CLAUSE_ARTICLES } from './helpers.js';

const ARTICLES = CLAUSE_ARTICLES;
const saved = { ...MODE };
afterEach(() => Object.assign(MODE, saved));

const clause = (ix: ReturnType<typeof buildIndex>, q: string, id: string): { clause: number; coverage: number } => {
  const out = evaluate(ix, q);
  const doc = ix.articles.findIndex((a) => a.id === id);
  const coverage = out.candidates.find((c) => c.doc === doc)?.coverage ?? 0;
  return { clause: clauseCoverage(ix, out, doc, coverage), coverage };
};

describe('clause coverage (eighth session, h-chat)', () => {
  it('cuts a message into clauses at punctuation and conjunctions, in one pass', () => {
    const text = "back from maternity leave and can't remember my password, sorry";
    expect(clauseOfWords(text)).toHaveLength(words(text).length);
    expect(clauseOfWords(text)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 1, 2]);
    expect(clauseOfWords('estoy en el aeropuerto y necesito la vpn')).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(clauseOfWords(text, false)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
  });

  it("is the article's best coverage of one clause: chat context in another clause does not dilute it", () => {
    const ix = buildIndex(ARTICLES);
    const q = 'just back from a fortnight in tuscany and I forgot my password';
    const r = clause(ix, q, 'reset-password');
    expect(r.coverage).toBeLessThan(0.6);
    expect(r.clause).toBeCloseTo(1, 5);
    // One clause: the same as coverage.
    const one = clause(ix, 'forgot my password in tuscany', 'reset-password');
    expect(one.clause).toBeCloseTo(one.coverage, 10);
  });

  it('is plain coverage with the switch off', () => {
    MODE.clauseFeature = false;
    const ix = buildIndex(ARTICLES);
    const r = clause(ix, 'just back from a fortnight in tuscany and I forgot my password', 'reset-password');
    expect(r.clause).toBeCloseTo(r.coverage, 10);
  });
});

describe('no leading word in a message of several clauses (eighth session, the lead)', () => {
  it('drops the first content word of a multi-clause message as its leading word, keeps a one-clause request\'s', () => {
    const ix = buildIndex(ARTICLES);
    const unitOf = (q: string): string | undefined => {
      const out = evaluate(ix, q);
      return out.leadUnit >= 0 ? out.units[out.leadUnit]!.surface : undefined;
    };
    // `leave` is context here (the holidays article's tag), not the request: the question is the second clause.
    expect(unitOf('leave ended today and now I cannot reset my password')).toBeUndefined();
    expect(unitOf('reset my password')).toBe('reset');
    expect(unitOf('how do I reset the vpn password')).toBe('reset');
    MODE.leadSingleClause = false;
    expect(unitOf('leave ended today and now I cannot reset my password')).toBe('leave');
  });
});

describe('a hyphen between two words does not cut a clause (ninth session, h-chat3)', () => {
  it('keeps a hyphenated compound in one clause, a spaced dash still cuts', () => {
    expect(clauseOfWords('turn on an out-of-office reply in gmail', true, true)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(clauseOfWords('turn on an out-of-office reply in gmail')).toEqual([0, 0, 0, 0, 1, 2, 2, 2, 2]);
    expect(clauseOfWords('hi - my usb-c port is dead', true, true)).toEqual([0, 1, 1, 1, 1, 1, 1]);
  });

  it('keeps the leading word of a one-clause request with a hyphenated word', () => {
    const ix = buildIndex(ARTICLES);
    const lead = (q: string): string | undefined => {
      const out = evaluate(ix, q);
      return out.leadUnit >= 0 ? out.units[out.leadUnit]!.surface : undefined;
    };
    const q = 'reset my self-service portal password';
    expect(evaluate(ix, q).clauseMasks).toEqual([]);
    expect(lead(q)).toBe('reset');
    MODE.clauseHyphenJoins = false;
    expect(lead(q)).toBeUndefined();
  });
});
