import { describe, expect, it } from 'vitest';
import { DEFAULT_CALIBRATION } from '../../kb/calibration.js';
import { buildFuzzyVocab, fuzzyLookup } from '../../kb/fuzzy.js';
import { parseArticle } from '../../kb/loader.js';
import { preferLanguage, slotCut, type Ranked } from '../../kb/rank.js';
import { SearchKnowledgeBase } from '../../kb/knowledge-base.js';
import { buildIndex } from '../../kb/search-index.js';
import type { Article } from '../../kb/types.js';
import { md, SAMPLE } from './helpers.js';

const art = (name: string, text: string): Article => {
  const r = parseArticle(name, text);
  if ('error' in r) throw new Error(`fixture ${name}: ${r.error}`);
  return r;
};
const sample = (): Article[] => Object.entries(SAMPLE).map(([n, t]) => art(n, t));
const vpnEs = art('vpn-fallo-autenticacion.md', md({ title: 'La VPN dice que la autenticación ha fallado', lang: 'es', tags: ['vpn', 'login', 'autenticacion'] },
  'El cliente de VPN rechaza tu inicio de sesión con «authentication failed» después de cambiar la contraseña.\n\n1. Cierra sesión en el cliente de VPN y vuelve a entrar con la contraseña nueva.\n2. Aprueba el aviso de MFA en el móvil.\n3. Si sigue fallando, restablece la contraseña en el portal de autoservicio.'));

describe('answer in the asker\'s language', () => {
  const kb = new SearchKnowledgeBase(buildIndex([...sample(), vpnEs]));

  it('ranks the article in the query\'s language first when both languages have one', () => {
    expect(kb.search('the vpn says authentication failed')[0]?.id).toBe('vpn-auth-failed');
    expect(kb.search('la vpn me dice que la autenticación ha fallado')[0]?.id).toBe('vpn-fallo-autenticacion');
  });

  it('the person\'s language (or locale) decides when the query does not tell', () => {
    expect(kb.search('vpn login', { lang: 'es-ES' })[0]?.id).toBe('vpn-fallo-autenticacion');
    expect(kb.search('vpn login', { lang: 'en' })[0]?.id).toBe('vpn-auth-failed');
    // The question's own language wins over the person's.
    expect(kb.search('the vpn says authentication failed', { lang: 'es' })[0]?.id).toBe('vpn-auth-failed');
  });

  it('still answers across languages when only the other language has an article', () => {
    expect(kb.search('paper jam in the printer')[0]?.id).toBe('impresora-atasco');
  });
});

const r = (score: number, doc = 0): Ranked => ({ doc, score, bm25: 1, features: { coverage: 0, strength: 0, matched: 0, mass: 0, short: 0, gap: 0, rel: 0, phrase: 0, leadMissed: 0, passage: 0, leadBody: 0, leadApart: 0, leadUnknown: 0, headCover: 0, missedElsewhere: 0, clause: 0 } });

describe('asker\'s language first', () => {
  const ix = { articles: [{ lang: 'es' }, { lang: 'en' }, { lang: 'en' }] as Article[] };

  it('moves an article in the asker\'s language ahead of a slightly better one in another language', () => {
    const ranked = [r(0.9, 0), r(0.8, 1)];
    preferLanguage(ix, ranked, 'en', 0.5);
    expect(ranked.map((x) => x.doc)).toEqual([1, 0]);
  });

  it('keeps a clearly better other-language answer first, and never promotes one under the cut-off', () => {
    const far = [r(0.9, 0), r(0.7, 1)];
    preferLanguage(ix, far, 'en', 0.5);
    expect(far.map((x) => x.doc)).toEqual([0, 1]);
    const weak = [r(0.55, 0), r(0.45, 2)];
    preferLanguage(ix, weak, 'en', 0.5);
    expect(weak.map((x) => x.doc)).toEqual([0, 2]);
  });
});

describe('per-slot cut-off', () => {
  const cal = { ...DEFAULT_CALIBRATION, threshold: 0.5, slotStep: 0.1, slotRatio: 0.7 };

  it('later slots need a higher score and a share of the first one\'s', () => {
    expect(slotCut([r(0.9), r(0.8), r(0.75)], cal).map((x) => x.score)).toEqual([0.9, 0.8, 0.75]);
    // 0.55 passes the threshold but not the second slot's 0.6; 0.62 is under 70 % of 0.95.
    expect(slotCut([r(0.7), r(0.55)], cal).map((x) => x.score)).toEqual([0.7]);
    expect(slotCut([r(0.95), r(0.62)], cal).map((x) => x.score)).toEqual([0.95]);
    expect(slotCut([r(0.45)], cal)).toEqual([]);
  });

  it('by default a close second is shown and a weak third is not (0.05 / 85 %, fourth session)', () => {
    // A second within 0.05 of the threshold and close to the first: both language versions of a topic, two near-equal articles.
    expect(slotCut([r(0.5), r(0.46)], DEFAULT_CALIBRATION).map((x) => x.score)).toEqual([0.5, 0.46]);
    // A third well above its bar (0.506) but under 85 % of the first is left out.
    expect(slotCut([r(0.9), r(0.8), r(0.7)], DEFAULT_CALIBRATION).map((x) => x.score)).toEqual([0.9, 0.8]);
  });
});

describe('typo matching with fuse.js', () => {
  const v = buildFuzzyVocab(new Map([['outlook', 5], ['pinging', 2], ['password', 9], ['printer', 4], ['impresora', 3]]));

  it('corrects one or two slips to a known word', () => {
    expect(fuzzyLookup(v, 'outlok')[0]).toMatchObject({ word: 'outlook', distance: 1 });
    expect(fuzzyLookup(v, 'pasword')[0]?.word).toBe('password');
    expect(fuzzyLookup(v, 'imprsora')[0]?.word).toBe('impresora');
    expect(fuzzyLookup(v, 'rpinter')[0]?.word).toBe('printer');
  });

  it('does not match a short word inside a longer one, nor far-off words', () => {
    expect(fuzzyLookup(v, 'ping')).toEqual([]);
    expect(fuzzyLookup(v, 'monitor')).toEqual([]);
    expect(fuzzyLookup(v, 'out')).toEqual([]);
  });
});
