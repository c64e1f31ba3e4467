import { describe, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION, PHRASE_CALIBRATION } from '../../kb/calibration.js';
import { parseArticle } from '../../kb/loader.js';
import { hasPair, pairHash, PairTable, phraseShare } from '../../kb/phrase.js';
import { rank } from '../../kb/rank.js';
import { buildIndex } from '../../kb/search-index.js';
import type { Article } from '../../kb/types.js';
import { md } from './helpers.js';

const art = (name: string, text: string): Article => {
  const r = parseArticle(name, text);
  if ('error' in r) throw new Error(`fixture ${name}: ${r.error}`);
  return r;
};

describe('pair table', () => {
  it('hashes a pair the same in either order, and different pairs differently', () => {
    expect(pairHash(3, 17)).toBe(pairHash(17, 3));
    const seen = new Set<number>();
    for (let a = 0; a < 60; a++) for (let b = a + 1; b < 60; b++) seen.add(pairHash(a, b));
    expect(seen.size).toBe((60 * 59) / 2);
  });

  it('keeps each article\'s pairs sorted and de-duplicated, found by binary search', () => {
    const t = new PairTable();
    t.addDoc([pairHash(1, 2), pairHash(2, 3), pairHash(1, 2)]);
    t.addDoc([]);
    t.addDoc([pairHash(5, 6)]);
    const { pairStart, pairs } = t.finish();
    expect([...pairStart]).toEqual([0, 2, 2, 3]);
    expect(hasPair(pairStart, pairs, 0, pairHash(2, 1))).toBe(true);
    expect(hasPair(pairStart, pairs, 0, pairHash(5, 6))).toBe(false);
    expect(hasPair(pairStart, pairs, 1, pairHash(1, 2))).toBe(false);
    expect(hasPair(pairStart, pairs, 2, pairHash(6, 5))).toBe(true);
    expect(phraseShare({ pairStart, pairs }, [[pairHash(1, 2)], [pairHash(7, 8), pairHash(2, 3)], [pairHash(9, 9)]], 0)).toBeCloseTo(2 / 3);
    expect(phraseShare({ pairStart, pairs }, [], 0)).toBe(0);
  });
});

describe('phrase feature', () => {
  // Same words, only one article has them next to each other.
  const together = art('record-meeting.md', md({ title: 'Record a meeting', lang: 'en', tags: ['recording'] },
    'To record a meeting, open the meeting controls and choose Record. The recording is saved to your drive.'));
  const apart = art('share-screen.md', md({ title: 'Share your screen', lang: 'en', tags: ['screen'] },
    'In a meeting, choose Share. To stop, press the button again. Your drive may record the file name you shared.'));
  const ix = buildIndex([together, apart]);
  const phraseOf = (q: string, id: string): number => {
    const r = rank(ix, q, { keepBelowThreshold: true, withPhrase: true }).find((x) => ix.articles[x.doc]!.id === id);
    return r?.features.phrase ?? -1;
  };

  it('is the share of the query\'s neighbouring words that stand together in the article', () => {
    expect(phraseOf('record meeting', 'record-meeting')).toBe(1);
    expect(phraseOf('record meeting', 'share-screen')).toBe(0);
    expect(phraseOf('meeting record', 'record-meeting')).toBe(1); // either order
  });

  it('reaches pairs across languages through translations', () => {
    // `grabar` → record, `reunión` → meeting (lexicon/dictionary): the pair is found in the English article.
    expect(phraseOf('grabar una reunión', 'record-meeting')).toBe(1);
  });

  it('is 0 and not computed when the calibration gives it no weight (the default)', () => {
    expect(DEFAULT_CALIBRATION.weights.phrase).toBe(0);
    const fresh = buildIndex([together, apart]);
    const r = rank(fresh, 'record meeting', { keepBelowThreshold: true });
    expect(r.every((x) => x.features.phrase === 0)).toBe(true);
    expect(fresh.phrase).toBeUndefined(); // the pair table is not even built
    const withIt = rank(ix, 'record meeting', { keepBelowThreshold: true, calibration: PHRASE_CALIBRATION });
    expect(withIt.find((x) => ix.articles[x.doc]!.id === 'record-meeting')?.features.phrase).toBe(1);
  });
});
