import { describe, expect, it } from 'vitest';
import { defaultDictionary, EMPTY_DICTIONARY, parseDictionary, translate } from '../../kb/dictionary.js';
import { buildFuzzyVocab, fuzzyLookup } from '../../kb/fuzzy.js';
import { rank } from '../../kb/rank.js';
import { buildIndex } from '../../kb/search-index.js';
import { EXPANSION_WEIGHTS, queryUnits } from '../../kb/search.js';
import { stemEn, stemEs } from '../../kb/stem.js';
import type { Article } from '../../kb/types.js';
import { article } from './helpers.js';


// Words chosen so that neither the IT glossary nor the hand-written lexicon links the languages:
// only the open dictionary (Apertium / FreeDict data) does.
const ARTICLES: Article[] = [
  article('truck-tracker', 'en', 'The truck tracker stopped reporting', ['truck', 'tracker'], 'When a truck stops reporting its position, restart the tracker from the cab.\nCheck the antenna cable.'),
  article('almacen-frio', 'es', 'La cámara frigorífica del almacén avisa de temperatura', ['almacén', 'temperatura'], 'Si el almacén avisa de temperatura alta, revisa la puerta de la cámara.\nLlama al turno de mantenimiento.'),
];

describe('open bilingual dictionary', () => {
  it('translates in one direction per half and stems into the other language', () => {
    const d = parseDictionary('# comment\nen\twarehouse\talmacen,deposito\nes\tcamion\ttruck,lorry\nen\tred\trojo\nes\tred\tnet,network\n');
    expect(translate(d, 'warehouses', 'en')).toEqual([stemEs('almacen'), stemEs('deposito')]);
    expect(translate(d, 'camiones', 'es')).toEqual(expect.arrayContaining([stemEn('truck'), stemEn('lorry')]));
    // A Spanish question does not translate an English headword, and the other way round.
    expect(translate(d, 'warehouse', 'es')).toEqual([]);
  });

  it('leaves a false friend alone unless the query says which language it is in', () => {
    const d = parseDictionary('en\tred\trojo\nes\tred\tnet,network\n');
    expect(translate(d, 'red', undefined)).toEqual([]);
    expect(translate(d, 'red', 'es')).toEqual([stemEn('net'), stemEn('network')]);
    expect(translate(d, 'red', 'en')).toEqual([stemEs('rojo')]);
  });

  it('ships Apertium and FreeDict data with tens of thousands of entries', () => {
    const d = defaultDictionary();
    expect(d.en.size + d.es.size).toBeGreaterThan(20_000);
    expect(translate(d, 'printer', 'en')).toContain(stemEs('impresora'));
    expect(translate(d, 'contrasena', 'es')).toContain(stemEn('password'));
  });

  it('answers a question in one language with an article in the other, at a translation weight', () => {
    const ix = buildIndex(ARTICLES);
    const ids = (q: string): string[] => rank(ix, q).map((r) => ix.articles[r.doc]!.id);
    expect(ids('el camión no envía su posición')[0]).toBe('truck-tracker');
    expect(ids('the warehouse temperature alarm went off')[0]).toBe('almacen-frio');
    const [unit] = queryUnits(ix, 'camión');
    expect(unit?.expansions.length).toBeGreaterThan(0);
    for (const e of unit!.expansions) expect(e.w).toBe(EXPANSION_WEIGHTS.dictionary);
    // Without the dictionary the same question finds nothing.
    const bare = buildIndex(ARTICLES, { dictionary: EMPTY_DICTIONARY });
    expect(rank(bare, 'el camión no envía su posición')).toEqual([]);
  });
});

describe('typo candidates', () => {
  it('fuse.js hits must be within one edit of what the word length allows', () => {
    const v = buildFuzzyVocab(new Map([['pegatina', 3], ['continua', 2], ['contrasena', 5]]));
    // `cantina` sits inside `pegatina` (Bitap finds it) but is three edits away; `continua` is two.
    expect(fuzzyLookup(v, 'cantina').map((h) => h.word)).toEqual(['continua']);
    expect(fuzzyLookup(v, 'contrasnea').map((h) => h.word)).toEqual(['contrasena']);
  });
});

describe('pseudo-relevance feedback (off by default)', () => {
  const ix = buildIndex([
    ...ARTICLES,
    article('truck-tyres', 'en', 'Report a flat tyre on a truck', ['truck', 'tyre'], 'A flat tyre on a truck is reported from the cab app.\nThe workshop calls the driver back.'),
  ]);
  it('keeps the distinctive terms of every article', () => {
    expect(ix.distinctive.length).toBe(ix.articles.length * 10);
    expect([...ix.distinctive.subarray(0, 10)].some((t) => t >= 0)).toBe(true);
  });

  it('never answers a question the first pass leaves unanswered, and keeps the right first answer', () => {
    for (const w of [0, 0.3, 1]) {
      expect(rank(ix, 'what time does the canteen open on fridays', { feedback: w })).toEqual([]);
      expect(ix.articles[rank(ix, 'truck tracker stopped reporting', { feedback: w })[0]!.doc]!.id).toBe('truck-tracker');
    }
  });
});
