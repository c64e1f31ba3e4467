import { describe, expect, it } from 'vitest';
import { calibratedScore, DEFAULT_CALIBRATION } from '../../kb/calibration.js';
import { parseArticle } from '../../kb/loader.js';
import { rank } from '../../kb/rank.js';
import { buildIndex, HEAD_BIT, passageOf, PASSAGES } from '../../kb/search-index.js';
import { evaluate, passageCoverage } from '../../kb/search.js';
import { sentenceOfWords, words } from '../../kb/text.js';
import type { Article } from '../../kb/types.js';
import { md } from './helpers.js';

const art = (name: string, fields: Record<string, unknown>, body: string): Article => {
  const r = parseArticle(name, md(fields, body));
  if ('error' in r) throw new Error(`fixture ${name}: ${r.error}`);
  return r;
};

// Both articles have `connect` and `monitor` in the body; only the second has them in one sentence.
const scattered = art('desk-pc.md', { title: 'Front desk PC', lang: 'en', tags: ['pc', 'desk'] },
  'The front desk PC runs the booking system.\n\n1. Connect the key-card encoder with its USB cable.\n2. If the screen stays dark, replace the monitor power cable.\n3. Restart the PC.');
const together = art('second-screen.md', { title: 'Front desk PC', lang: 'en', tags: ['pc', 'desk'] },
  'The front desk PC runs the booking system.\n\n1. Connect the second monitor to the HDMI port at the back.\n2. Restart the PC.');
const heading = art('monitor.md', { title: 'Monitor stays dark', lang: 'en', tags: ['monitor', 'screen'] },
  'If the screen stays dark after a restart, check the power cable first.\n\nThen connect it to another port.');

describe('passage coverage (fifth session): the query matched within one sentence', () => {
  it('cuts an article body into sentences and groups them into at most 31 passages', () => {
    const text = 'One two. Three!\n\n- four: five... Six';
    expect(sentenceOfWords(text)).toEqual({ of: [0, 0, 1, 2, 3, 4], count: 5 });
    expect(sentenceOfWords(text).of).toHaveLength(words(text).length);
    expect(sentenceOfWords('. ! \n')).toEqual({ of: [], count: 0 });
    expect(passageOf(0, 3)).toBe(1);
    expect(passageOf(2, 3)).toBe(4);
    expect(passageOf(61, 62)).toBe(1 << (PASSAGES - 1));
    expect(passageOf(0, 62)).toBe(passageOf(1, 62));
  });

  it('marks where each posting stands: heading or body sentence', () => {
    const ix = buildIndex([heading]);
    const t = ix.termIds.get('monitor')!;
    expect(ix.where[ix.start[t]!]! & HEAD_BIT).not.toBe(0);
    const c = ix.termIds.get('connect')!;
    expect(ix.where[ix.start[c]!]).toBe(2); // the body's second sentence only
  });

  it('is lower than coverage when the matched words are in different sentences, equal when together or in the heading', () => {
    const ix = buildIndex([scattered, together, heading]);
    const out = evaluate(ix, 'connect a monitor');
    const byId = new Map(out.candidates.map((c) => [ix.articles[c.doc]!.id, c]));
    const doc = (id: string): number => byId.get(id)!.doc;
    const cov = (id: string): number => byId.get(id)!.coverage;
    expect(passageCoverage(ix, out, doc('desk-pc'))).toBeLessThan(cov('desk-pc') - 0.2);
    expect(passageCoverage(ix, out, doc('second-screen'))).toBeCloseTo(cov('second-screen'), 6);
    expect(passageCoverage(ix, out, doc('monitor'))).toBeCloseTo(cov('monitor'), 6);
  });

  it('ranks an article that has the question in one sentence above one that mentions its words apart', () => {
    const ix = buildIndex([scattered, together]);
    const ranked = rank(ix, 'connect a monitor', { keepBelowThreshold: true, limit: 5 });
    const byId = new Map(ranked.map((r) => [ix.articles[r.doc]!.id, r]));
    expect(byId.get('desk-pc')!.features.passage).toBeLessThan(byId.get('second-screen')!.features.passage);
    expect(DEFAULT_CALIBRATION.weights.passage).toBeGreaterThan(0);
    const f = byId.get('desk-pc')!.features;
    expect(calibratedScore({ ...f, passage: f.coverage })).toBeGreaterThan(calibratedScore(f));
    expect(ix.articles[ranked[0]!.doc]!.id).toBe('second-screen');
  });

  it('splits a long body in one pass', () => {
    const body = 'word. '.repeat(50_000) + '.'.repeat(50_000) + ' end';
    const t0 = performance.now();
    expect(sentenceOfWords(body).count).toBe(50_001);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
