/**
 * Text → search terms, identical for articles and queries: fold, tokenise, stem, find glossary
 * concepts (stop words still present, so phrases like `log in` match), then drop stop words.
 * An article is stemmed in its own language; a query in the language it most looks like, with the
 * other language's stem kept as an alternative (queries are short and often mixed).
 */
import { stopwords as englishStop } from '@orama/stopwords/english';
import { stopwords as spanishStop } from '@orama/stopwords/spanish';
import { conceptsIn, type Glossary } from './glossary.js';
import { stemEn, stemEs, stemIn } from './stem.js';
import { isStopWord } from './stopwords.js';
import { words } from './text.js';

export interface Token {
  /** Folded surface form (`contrasena`). */
  surface: string;
  stem: string;
  /** The other language's stem when it differs (queries only). */
  alt?: string;
  /** Glossary concepts this token is part of. */
  concepts: string[];
}

const isContent = (w: string): boolean => w.length > 1 && !isStopWord(w);

const THANKS = new Set(['thanks', 'thank', 'thx', 'you']);

/**
 * `in advance` after thanks (`thanks in advance`, `thank you in advance`): politeness, although
 * `advance` alone can say something (`salary advance`). One look back per word: linear.
 */
const isThanksInAdvance = (s: readonly string[], i: number): boolean =>
  s[i] === 'advance' && i >= 2 && s[i - 1] === 'in' && THANKS.has(s[i - 2]!);

/** Spanish-only function words and endings that tell a Spanish query from an English one. */
const ES_MARKERS = new Set('el la los las de del que en por para con una uno se mi me lo le al es esta como pero sin cuando donde'.split(' '));
/**
 * English ones, with the stems `doesn't`, `won't`, `can't`… leave once the tokeniser drops `'t`
 * (`doesn`, `won`, `isn`: chat types the apostrophe as often as not).
 */
const EN_MARKERS = new Set(
  'the an to of in on is are my i it for with not can cant doesnt dont when how what from at and doesn don isn didn won wasn aren couldn wouldn shouldn haven hasn'.split(' '),
);

/**
 * Every word of the maintained stop-word lists (`@orama/stopwords`: Snowball's English, the Spanish
 * one) that only one of the two lists has is a marker of that language too (`before`, `will`, `un`,
 * `nuevo`): the hand-written lists above miss most of them, and a query that says no more than
 * `computer wants a long number before windows will start` was left without a language. One-letter
 * words (`a`, `y`, `o`) stay out: English has them too.
 */
const [ES_STOP_ONLY, EN_STOP_ONLY] = ((): [ReadonlySet<string>, ReadonlySet<string>] => {
  const en = new Set(englishStop.flatMap((w) => words(w)));
  const es = new Set(spanishStop.flatMap((w) => words(w)));
  const only = (a: Set<string>, b: Set<string>): Set<string> => new Set([...a].filter((w) => w.length > 1 && !b.has(w)));
  return [only(es, en), only(en, es)];
})();

/** `LANG_DETECT.stopLists = false` restores the hand-written markers alone (for measurement). */
export const LANG_DETECT = { stopLists: true };

/** `es` or `en` when the function words say so, undefined when they do not (`vpn slow`). */
export function detectLang(surfaces: readonly string[]): 'en' | 'es' | undefined {
  let es = 0;
  let en = 0;
  const lists = LANG_DETECT.stopLists;
  for (const w of surfaces) {
    if (ES_MARKERS.has(w) || (lists && ES_STOP_ONLY.has(w))) es++;
    if (EN_MARKERS.has(w) || (lists && EN_STOP_ONLY.has(w))) en++;
    // A few word endings are typical of one of the two languages.
    if (w.length > 4 && (w.endsWith('cion') || w.endsWith('ciones') || w.endsWith('mente'))) es++;
    if (w.length > 4 && (w.endsWith('ing') || w.endsWith('tion') || w.endsWith('ed'))) en++;
  }
  return es > en ? 'es' : en > es ? 'en' : undefined;
}

/** The language to stem a query in: the detected one, English when unsure. */
export const guessLang = (surfaces: readonly string[]): 'en' | 'es' => detectLang(surfaces) ?? 'en';

/**
 * Content tokens of a text with the concepts each belongs to. `lang` is the article's language;
 * without it (a query) the language is guessed and each token also carries the other stem. With
 * `positions`, each token's word index in `words(text)` is pushed to it (the index's sentence bits).
 */
export function analyze(text: string, glossary: Glossary, lang?: string, positions?: number[]): Token[] {
  const surfaces = words(text);
  const primary = lang ?? guessLang(surfaces);
  const stemOf = stemIn(primary);
  const other = lang === undefined ? (primary === 'es' ? stemEn : stemEs) : undefined;
  const stems = surfaces.map(stemOf);
  const conceptsAt: string[][] = surfaces.map(() => []);
  const addConcepts = (seq: readonly string[]): void => {
    for (const hit of conceptsIn(seq, glossary)) {
      for (let j = hit.start; j < hit.start + hit.length; j++) {
        const list = conceptsAt[j]!;
        if (!list.includes(hit.concept)) list.push(hit.concept);
      }
    }
  };
  addConcepts(stems);
  const alts = other ? surfaces.map(other) : undefined;
  if (alts) addConcepts(alts);
  const out: Token[] = [];
  for (let i = 0; i < surfaces.length; i++) {
    const s = surfaces[i]!;
    const concepts = conceptsAt[i]!;
    const content = isContent(s) && !isThanksInAdvance(surfaces, i);
    // A stop word that is part of a glossary phrase (`se cierra`) still lends its concept.
    if (!content && !concepts.length) continue;
    const tok: Token = { surface: s, stem: content ? stems[i]! : '', concepts };
    if (content && alts && alts[i] !== stems[i]) tok.alt = alts[i]!;
    out.push(tok);
    positions?.push(i);
  }
  return out;
}
