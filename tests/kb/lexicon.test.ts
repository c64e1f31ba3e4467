import { describe, expect, it } from 'vitest';
import { buildLexicon, defaultLexicon } from '../../kb/lexicon.js';
import { buildIndex } from '../../kb/search-index.js';
import { EXPANSION_WEIGHTS, queryUnits } from '../../kb/search.js';
import { rank } from '../../kb/rank.js';
import type { Article } from '../../kb/types.js';
import { article } from './helpers.js';


// Words chosen so that only the everyday lexicon (not the IT glossary) links the two languages.
const ARTICLES: Article[] = [
  article('lost-phone', 'en', 'You lost your phone', ['phone', 'lost'], 'If you lose your phone, tell us the same day so we can block it.\nWe lock the phone remotely.'),
  article('jefe-nuevo', 'es', 'Tu equipo tiene un jefe nuevo', ['jefe', 'equipo'], 'Cuando cambia el jefe de un equipo, los permisos pasan al nuevo jefe.\nPide el cambio con una semana de margen.'),
  article('invoice', 'en', 'Submit an invoice from a supplier', ['invoice', 'supplier'], 'Invoices from a supplier go through the finance portal.\nAttach the invoice as a PDF.'),
];
const ix = buildIndex(ARTICLES);
const ids = (q: string): string[] => rank(ix, q).map((r) => ix.articles[r.doc]!.id);

describe('everyday bilingual lexicon', () => {
  it('translates members of a group both ways, single words only, never to itself', () => {
    const lex = buildLexicon([['teléfono', 'phone', 'telephone'], ['fin de semana', 'weekend']]);
    expect(lex.get('telefon')).toEqual(expect.arrayContaining(['phon', 'telephon']));
    expect(lex.get('phon')).toContain('telefon');
    expect(lex.get('phon')).not.toContain('phon');
    expect(lex.has('weekend')).toBe(false);
    expect(defaultLexicon().size).toBeGreaterThan(300);
  });

  it('answers a Spanish question with an English article and the other way round', () => {
    expect(ids('he perdido el teléfono')[0]).toBe('lost-phone');
    expect(ids('my team has a new boss')[0]).toBe('jefe-nuevo');
    expect(ids('factura de un proveedor')[0]).toBe('invoice');
  });

  it('counts a translation for less than the word itself', () => {
    const [unit] = queryUnits(ix, 'proveedor');
    expect(unit?.known).toBe(true);
    expect(unit?.expansions.length).toBeGreaterThan(0);
    for (const e of unit!.expansions) expect(e.w).toBe(EXPANSION_WEIGHTS.translation);
    expect(EXPANSION_WEIGHTS.translation).toBeLessThan(1);
    expect(queryUnits(ix, 'supplier')[0]?.expansions.some((e) => e.w === 1)).toBe(true);
  });
});

describe('chat handling', () => {
  it('drops first-person filler and numbers no article uses', () => {
    const surfaces = queryUnits(ix, 'I think I lost my phone on the 3rd floor at 10 last night, ay madre').map((u) => u.surface);
    expect(surfaces).not.toContain('think');
    expect(surfaces).not.toContain('10');
    expect(surfaces).not.toContain('madre');
    expect(surfaces).toEqual(expect.arrayContaining(['lost', 'phone']));
  });

  it('answers a long chatty message whose key words match', () => {
    expect(ids('hey all :wave: I think I lost my phone somewhere at the airport last night, what do I do now??')[0]).toBe('lost-phone');
  });

  it('still answers nothing to an off-topic question', () => {
    expect(ids('what time does the canteen open on fridays')).toEqual([]);
  });
});
