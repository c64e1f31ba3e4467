/**
 * Round 4 analyzer steps: politeness words, generic support words, topical importance and the cap on
 * words known only through the open dictionary (kb/generic.ts, kb/stopwords.ts, kb/search.ts).
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../../kb/analyze.js';
import { SearchKnowledgeBase } from '../../kb/knowledge-base.js';
import { genericFactor, GENERIC_WEIGHT } from '../../kb/generic.js';
import { buildIndex } from '../../kb/search-index.js';
import { IMPORTANCE, queryUnits } from '../../kb/search.js';
import { isStopWord } from '../../kb/stopwords.js';
import type { Article } from '../../kb/types.js';

const art = (id: string, title: string, tags: string[], body: string, lang = 'en'): Article =>
  ({ id, title, lang, category: 'it', tags, summary: '', body, path: `${id}.md` }) as unknown as Article;

const ARTICLES: Article[] = [
  art('printer', 'Printer shows offline', ['printer', 'offline'], 'The printer is offline. Restart the printer and clear the print queue.'),
  art('vpn', 'VPN authentication failed', ['vpn', 'login'], 'The VPN rejects your password. Sign in again. A user once wrote that this was annoying.'),
  art('battery', 'Laptop battery drains fast', ['laptop', 'battery'], 'Lower the brightness; the battery should last longer.'),
  art('correo', 'No puedo entrar al correo', ['correo', 'outlook'], 'Outlook pide la contraseña una y otra vez.', 'es'),
];
const ix = buildIndex(ARTICLES);
const unit = (q: string, surface: string) => queryUnits(ix, q).find((u) => u.surface === surface);

describe('politeness and chat filler', () => {
  it('drops apologies, thanks and softeners in both languages', () => {
    for (const w of ['sorry', 'bother', 'apologies', 'kindly', 'appreciate', 'hopefully', 'already', 'disculpa', 'perdona', 'molestia', 'agradeceria', 'atentamente', 'espero', 'probado']) {
      expect(isStopWord(w), w).toBe(true);
    }
  });

  it('keeps words that say what is broken', () => {
    for (const w of ['printer', 'impresora', 'vpn', 'password', 'nuevo', 'trabajo', 'error']) expect(isStopWord(w), w).toBe(false);
  });

  it('drops `in advance` after thanks, keeps `advance` elsewhere', () => {
    const surfaces = (q: string): string[] => analyze(q, ix.glossary).filter((t) => t.stem).map((t) => t.surface);
    expect(surfaces('printer offline, thanks in advance')).toEqual(['printer', 'offline']);
    expect(surfaces('printer offline, thank you in advance')).toEqual(['printer', 'offline']);
    expect(surfaces('request a salary advance')).toContain('advance');
    expect(isStopWord('antemano')).toBe(true);
  });

  it('a polite wrapper adds no query word', () => {
    const plain = queryUnits(ix, 'printer offline').map((u) => u.surface);
    const wrapped = queryUnits(ix, 'hi, sorry to bother you, printer offline. thanks in advance, kindly appreciate it!').map((u) => u.surface);
    expect(wrapped).toEqual(plain);
  });
});

describe('generic support words', () => {
  it('weighs generic words down, others not', () => {
    expect(genericFactor('problem')).toBe(GENERIC_WEIGHT);
    expect(genericFactor('funciona')).toBe(GENERIC_WEIGHT);
    expect(genericFactor('printer')).toBe(1);
    expect(GENERIC_WEIGHT).toBeGreaterThan(0);
    expect(GENERIC_WEIGHT).toBeLessThan(1);
  });

  it('a generic word matters less than a specific one of the same idf', () => {
    const both = buildIndex([...ARTICLES, art('err', 'Error on the badge reader', ['badge'], 'The badge reader shows an error.')]);
    const units = queryUnits(both, 'badge error');
    const badge = units.find((u) => u.surface === 'badge')!;
    const error = units.find((u) => u.surface === 'error')!;
    // Same single article, both in its title: only the generic factor (and a little topicality) differs.
    expect(error.importance).toBeLessThan(badge.importance * (GENERIC_WEIGHT + 0.1));
    expect(error.importance).toBeGreaterThan(badge.importance * (GENERIC_WEIGHT - 0.1));
  });
});

describe('topical importance', () => {
  it('a word an article is about outweighs one mentioned once in passing', () => {
    // Both occur in exactly one article (same idf): `printer` in a title, tags and body; `annoying` once in a body.
    const printer = unit('printer annoying', 'printer')!;
    const annoying = unit('printer annoying', 'annoying')!;
    expect(printer.known && annoying.known).toBe(true);
    expect(annoying.importance).toBeLessThan(printer.importance);
    expect(annoying.importance).toBeGreaterThanOrEqual(printer.importance * IMPORTANCE.topicalFloor - 1e-9);
  });

  it('a word known only through the open dictionary weighs at most its cap', () => {
    // `brillo` is in no article, glossary group or hand lexicon: only the open dictionary knows it
    // (brillo → brightness, which the battery article uses).
    const u = unit('brillo', 'brillo');
    expect(u?.known).toBe(true);
    expect(u!.importance).toBeLessThanOrEqual(ix.idfRare * IMPORTANCE.dictionaryOnly + 1e-9);
  });

  it('a chat-wrapped question still finds its article', () => {
    const kb = new SearchKnowledgeBase(ix);
    expect(kb.search('printer offline')[0]?.id).toBe('printer');
    expect(kb.search('so basically the printer is offline, been like this since monday. no rush but it is annoying. thx!')[0]?.id).toBe('printer');
  });
});
