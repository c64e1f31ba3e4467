/**
 * Query evaluation: clean → analyse → expand each query word (exact stem, glossary concepts, typo
 * neighbours) → BM25F accumulation taking, per query word, its best-matching expansion → features
 * for the calibrated score (how much of the query the article covers, and how strongly).
 */
import { analyze, detectLang, type Token } from './analyze.js';
import { cleanQuery } from './clean-query.js';
import { isDictionaryWord, translate } from './dictionary.js';
import { editDistance, fuzzyLookup } from './fuzzy.js';
import { genericFactor } from './generic.js';
import { pairsBetween } from './phrase.js';
import { boundQuery, MAX_QUERY_WORDS, MAX_TYPO_LOOKUPS } from './query-bounds.js';
import { HEAD_BIT, PASSAGES, type KbIndex } from './search-index.js';
import { stemEn, stemEs } from './stem.js';
import { topPositions } from './top.js';
import { isStopWord } from './stopwords.js';
import { clauseOfWords, words } from './text.js';

/** Weight of a match through an expansion, relative to the query word itself. */
export const EXPANSION_WEIGHTS = {
  /** The glossary is curated, so a synonym or translation counts as much as the word itself. */
  concept: 1,
  /** A translation through the general lexicon (everyday words, less precise than the glossary). */
  translation: 0.8,
  /** A translation through the open dictionary (FreeDict: general, noisier than the lexicon). */
  dictionary: 0.7,
  typo1: 0.85,
  typo2: 0.7,
  /** Unknown words count for this share of a rare word's idf in the coverage denominator. */
  unknown: 0.5,
};

/**
 * How much a query word matters beyond its idf (round 4). In a knowledge base of tens of articles a
 * word mentioned once in passing (`annoying` in a quoted message) has the highest idf there is, as
 * high as the subject of an article: chat context then outweighs the question.
 */
export const IMPORTANCE = {
  /**
   * Topicality: a word counts fully when some article is about it — its saturated term frequency
   * in that article (title, tags, repeated in the body) reaches `topicalRef` — and in proportion
   * below that, down to `topicalFloor`.
   */
  topicalRef: 0.8,
  topicalFloor: 0.3,
  /**
   * A word known only through the open dictionary (no article, glossary or hand-lexicon entry has
   * it: an everyday word whose translation some article happens to use, `prisa` → `rush`) weighs at
   * most this share of a rare word, below an unknown word's 0.5.
   */
  dictionaryOnly: 0.35,
};

/**
 * Typo correction is for misspellings (sixth session). A query word of 4+ letters the open dictionary
 * knows as a Spanish or English word (`scan`, `zoom`, `rueda`, `passport`) is not a misspelling of an
 * index word when neither it nor its translations are in the knowledge base: it is not "corrected" to
 * an unrelated neighbour (`scan` → `phish`, `rueda` → `queda`, `passport` → `password`) and stays an
 * unknown word, which counts in the coverage as a missed word — the question asks about something the
 * knowledge base has no word for. It may still reach another form of itself ({@link sameWordFamily}).
 * `MODE.realWordsNotTypos = false` restores the old behaviour (for measurement: `bench/kb-mode-args.ts`).
 */
export const MODE = {
  realWordsNotTypos: true,
  realWordMinLength: 4,
  realWordInflections: true,
  /** Seventh session: a swap of neighbouring letters is one edit (`FuzzyOptions.transpositions`). */
  typoTranspositions: true,
  /** Seventh session: a 3-letter unknown word may reach a 4-letter one by a missing letter (`FuzzyOptions.threeLetters`). */
  typoThreeLetters: true,
  /**
   * Seventh session, a soft real-word gate: a dictionary word may also reach a word one edit away
   * (a swap of neighbouring letters counting as one) that some article has in its title or tags
   * (`KbIndex.titleWords`) — a misspelling that happens to be a word (`dull` for `full`, `cuneta` for
   * `cuenta`) — at most at weight `realWordNeighbourWeight`.
   */
  realWordNeighbours: true,
  /**
   * Seventh session: a typo correction reaches the corrected word's stems in both languages, as the
   * word itself typed correctly would (`hostaly` is indexed under the English stem `hostali` in an
   * English article and `hostaly` in a Spanish one; a correction reached only the stem the index saw first).
   */
  typoBothStems: true,
  /**
   * Seventh session: the cap on a word known only through the open dictionary (`IMPORTANCE.dictionaryOnly`)
   * no longer applies to a word known only through a typo correction (`pintpay` → `printpay` weighed
   * 0.35 of a rare word, less than an unknown word, so a misspelt subject counted less than its context).
   */
  typoImportance: false,
  /**
   * Seventh session (h-neg): compute the role features of the calibration (`roleFeatures`: the leading
   * word only in the body / apart from the rest, an unknown real leading word, the share of the article's
   * title the query has, missed words another article is about). The shipped calibration is fitted with them;
   * the search before them is this switch off **and** `FIFTH_CALIBRATION` (calibration.ts), as the benches'
   * `--no-role-features` does.
   */
  roleFeatures: true,
  /**
   * Eighth session: when a word not in the dictionary has no typo correction within `FUZZY_MAX_SCORE`,
   * it may reach a word two edits away (`LOOSE_MAX_SCORE`: `citidx` → `citrix`, `rmtoo` → `remoto`) that
   * some article has in its title or tags (`KbIndex.titleWords`) — as fuse.js's lenient default would,
   * but only towards what the knowledge base is about. Shipped off in the eighth session: alone it also
   * "corrects" names from other knowledge bases (`macos` → `pagos`, `drone` → `phone`). **On** since the ninth
   * session, with the question's confirmation (`typoLooseContext`, `typoLooseShare`): synthetic two-typo words
   * 0.92 → 0.94 recall@3 (`bench/kb-typo-stress.ts`; unconfirmed 0.96), foreign names in their own titles
   * corrected 0 (unconfirmed 16; `bench/kb-foreign-names.ts`) — docs/kb-history.md, ninth session.
   */
  typoLoose: true,
  /**
   * Ninth session (h-typo2): a loose correction (`typoLoose`) is kept only when some article has the corrected
   * word together with at least `typoLooseShare` of the importance of the query's other words (matched by
   * themselves), at least one — `passage`: each in the same body passage as it, or both in the article's title,
   * tags or summary; `head`: both in its title, tags or summary; `article`: anywhere in it; `off`: always kept.
   * A misspelt subject of a real question shares an article with the rest of the question; another knowledge
   * base's product name (`macos` → `pagos`) or a word the dictionary lacks in a chat message (`vienen` →
   * `viewer`) rarely does ({@link confirmLoose}). A one-word query has nothing to confirm it: no loose correction.
   */
  typoLooseContext: 'passage' as 'off' | 'article' | 'passage' | 'head',
  /** Ninth session (h-typo2): the share of the other query words' importance an article with the loose correction must have (0: one word). */
  typoLooseShare: 0.5,
  /** Ninth session (h-typo2): weight of a loose correction (a one-edit correction weighs 0.7–0.85). */
  typoLooseWeight: 0.7,
  /**
   * Eighth session: a word with digits is a name, not a code, when it has at least five letters and more
   * letters than digits (`1password`, `office365`; not `0x80070005`, `win11`, `e1234`): it is typo-corrected
   * and, when unknown, counts as an unknown word, as a word without digits does.
   */
  digitNames: true,
  /** Highest weight of a real word's title-word neighbour (`realWordNeighbours`), below a typo's 0.7–0.85. */
  realWordNeighbourWeight: 0.6,
  /**
   * Eighth session (h-chat), measured: a word the knowledge base does not know weighs less in a long
   * message — `EXPANSION_WEIGHTS.unknown` × min(1, `unknownLengthRef` / the query's word count) — 0 = off.
   */
  unknownLengthRef: 0,
  /** Eighth session (h-chat): compute the `clause` feature (the article's best coverage of one clause of the query). */
  clauseFeature: true,
  /**
   * Eighth session (the lead): a message with two or more clauses of at least two query words each (`clauseMasks`)
   * has no leading word (`restart outlook and wait` keeps `restart`: its second clause is one word). In a chat message the first content word is as often
   * context (`working from my parents' place…`, `back from maternity leave and…`, `llevo 3 días fichando y…`) as
   * the request's action, and the lead features then count against the article that answers it. The calibration
   * is refitted with it (`DEFAULT_CALIBRATION`; before: `CLAUSE_CALIBRATION`).
   */
  leadSingleClause: true,
  /** A conjunction (`and`, `y`, `pero`) opens a new clause too (`clauseOfWords`). */
  clauseConjunctions: true,
  /** Ninth session (h-chat3): a hyphen between two words (`out-of-office`) does not cut a clause. */
  clauseHyphenJoins: true,
  /**
   * Tenth session (h-chat4): in a message of at least `unknownLongUnits` query words (0 = off), a word no article,
   * glossary or translation reaches (an unknown word) weighs `unknownLongFactor` of an unknown word's usual importance.
   * A long chat message's words the knowledge base has never seen are mostly its context (`travelodge`, `hindsight`,
   * `parents`), and they diluted the coverage features of the article that answers it; a short question keeps its
   * unknown words at full weight, since there they are as often what it asks about (`parking garage`, `podcast`).
   * The eighth session's `unknownLengthRef` (a smooth ref / length scale from 6 words on) was level within noise on five sets.
   * Measured and **off**: leave-one-set-out on the six fitting sets at 0.38 (8 words, ×0.25) it lifts chat 188 → 191 with
   * negatives 165 → 167, but the fitting sets have only 5 negatives of 8+ words; the same negatives wrapped in chat
   * templates (greeting, context, thanks) are answered far more often with it on — rejected 2290 → 2137 of 3206, and
   * 730 → 608 of 916 with context-heavy templates — because a wrapped negative's unknown words are its subject
   * (`FNMT`, `coffee machine`, `rueda pinchada`), not its context (docs/kb-history.md, tenth session, h-chat4).
   * `--unknown-long N [F]` in the benches turns it on.
   */
  unknownLongUnits: 0,
  unknownLongFactor: 0.25,
};

/**
 * With `MODE.realWordInflections`, a dictionary word may still be matched to an index word that looks
 * like another form of it (`entran` → `entrar`: Snowball's Spanish stems of a verb's forms do not always
 * meet): the two share their first letters — at least 4, and all but the last 3 of the query word.
 */
function sameWordFamily(a: string, b: string): boolean {
  const need = Math.max(4, a.length - 3);
  if (b.length < need) return false;
  for (let i = 0; i < need; i++) if (a.charCodeAt(i) !== b.charCodeAt(i)) return false;
  return true;
}

/** Topicality of a term, in [topicalFloor, 1]. */
const topical = (ix: KbIndex, term: number): number => Math.max(IMPORTANCE.topicalFloor, Math.min(1, ix.peak[term]! / IMPORTANCE.topicalRef));

interface Expansion {
  term: number;
  w: number;
  /** Reached through the loose typo tier (`MODE.typoLoose`): kept only when the query's context confirms it ({@link confirmLoose}). */
  loose?: boolean;
}

/** One meaningful query word and what it may match. */
export interface QueryUnit {
  surface: string;
  expansions: Expansion[];
  /** How much this word matters: idf of its best expansion (or of a rare word when unknown). */
  importance: number;
  known: boolean;
  /** With `MODE.clauseFeature`: the query's clauses this word stands in, one bit each ({@link clauseOfWords}). */
  clauses?: number;
}

export interface Candidate {
  doc: number;
  /** Raw BM25F score. */
  bm25: number;
  /** Share of the query's importance this article matches, in [0, 1]. */
  coverage: number;
  /** Query words matched. */
  matched: number;
  /**
   * How strongly the article has the query's leading word ({@link leadWord}): its best saturated term
   * frequency × expansion weight, 0 when absent (or when the query has no leading word).
   */
  lead: number;
}

export interface SearchOutcome {
  units: QueryUnit[];
  /** The query's language when its function words tell (`en`, `es`). */
  lang: 'en' | 'es' | undefined;
  totalImportance: number;
  candidates: Candidate[];
  /** The query's analysed tokens, in order (for its word pairs: {@link queryPairs}). */
  tokens: Token[];
  /** Index in `units` of the query's leading word ({@link leadWord}) when the index knows it, else −1. */
  leadUnit: number;
  /** The query's leading word is a dictionary word (`isDictionaryWord`) the index has no match for (`export`, `renew`). */
  leadUnknown: boolean;
  /** With `MODE.clauseFeature`: bit masks of the query's clauses with at least two query words (else empty). */
  clauseMasks: number[];
}

/** `how` in either language (folded): what may stand before the action of a how-to question. */
const HOW = new Set(['how', 'como']);
/** Words of a how-to opening (`how do I`, `how can we`, `cómo se`, `cómo puedo`), folded. */
const HOW_OPENING = new Set('how do does can could should would may i we you one to como se puedo puede podemos hago hacemos'.split(' '));

/**
 * The query's leading word: its first content word when nothing stands before it (`rename a shared
 * drive`, `printer offline`) or only a how-to opening does (`how do I refund…`, `cómo se configura…`).
 * A request names what it wants done, or its subject, first; chat context comes later or before a
 * pronoun (`someone stole…`, `I think I left…` have none). Linear in the words.
 */
export function leadWord(surfaces: readonly string[]): string | undefined {
  let how = false;
  for (let i = 0; i < surfaces.length; i++) {
    const w = surfaces[i]!;
    if (w.length > 1 && !isStopWord(w)) return i === 0 || how ? w : undefined;
    if (!HOW_OPENING.has(w)) return undefined;
    if (HOW.has(w)) how = true;
  }
  return undefined;
}

const fuzzyCache = new WeakMap<KbIndex, Map<string, Expansion[]>>();

/** A word with digits that is not a name (`MODE.digitNames`): an error code, a version, a number. Linear in the word. */
function isCode(surface: string): boolean {
  let digits = 0;
  for (const ch of surface) if (ch >= '0' && ch <= '9') digits++;
  if (digits === 0) return false;
  if (!MODE.digitNames) return true;
  const letters = [...surface].filter((ch) => ch >= 'a' && ch <= 'z').length;
  return letters < 5 || letters <= digits;
}

function typoExpansions(ix: KbIndex, surface: string, realWord: boolean): Expansion[] {
  let cache = fuzzyCache.get(ix);
  if (!cache) fuzzyCache.set(ix, (cache = new Map()));
  const opts = { transpositions: MODE.typoTranspositions, threeLetters: MODE.typoThreeLetters, loose: MODE.typoLoose ? (w: string) => ix.titleWords.has(w) : undefined };
  const neighbours = realWord && MODE.realWordNeighbours;
  const key = `${MODE.typoBothStems ? 'b' : ''}${realWord ? '=' : ''}${opts.transpositions ? 't' : ''}${opts.threeLetters ? '3' : ''}${neighbours ? `n${MODE.realWordNeighbourWeight}` : ''}${MODE.realWordInflections ? '' : 'i'}${MODE.typoLoose ? `l${MODE.typoLooseWeight}` : ''}:${surface}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out: Expansion[] = [];
  let loose = false;
  const push = (term: string, w: number): void => {
    const id = ix.termIds.get(term);
    if (id === undefined) return;
    const prev = out.find((e) => e.term === id);
    if (prev) prev.w = Math.max(prev.w, w);
    else out.push(loose ? { term: id, w, loose } : { term: id, w });
  };
  for (const h of fuzzyLookup(ix.fuzzy, surface, 3, opts)) {
    let w = h.distance === 1 ? EXPANSION_WEIGHTS.typo1 : EXPANSION_WEIGHTS.typo2;
    loose = h.loose === true;
    if (loose) w = MODE.typoLooseWeight;
    if (realWord && !(MODE.realWordInflections && sameWordFamily(surface, h.word))) {
      if (!neighbours || editDistance(surface, h.word, 1) > 1 || !ix.titleWords.has(h.word)) continue;
      w = Math.min(w, MODE.realWordNeighbourWeight);
    }
    const stem = ix.surfaceStem.get(h.word);
    if (stem) push(stem, w);
    if (MODE.typoBothStems) {
      push(stemEn(h.word), w);
      push(stemEs(h.word), w);
    }
    for (const c of ix.surfaceConcepts.get(h.word) ?? []) push(c, w * EXPANSION_WEIGHTS.concept);
  }
  if (cache.size > 10_000) cache.clear();
  cache.set(key, out);
  return out;
}

/**
 * The query's units: one per distinct content word, from the first `MAX_QUERY_CHARS` characters and
 * at most `MAX_QUERY_WORDS` of them, `MAX_TYPO_LOOKUPS` of which may be looked up as typos
 * (`query-bounds.ts`), so that no text blocks the event loop for long.
 */
export function queryUnits(ix: KbIndex, query: string): QueryUnit[] {
  const cleaned = cleanQuery(boundQuery(query));
  return unitsOf(ix, analyze(cleaned, ix.glossary), detectLang(words(cleaned)));
}

/** Alternatives per query word in its pairs: bounds the hashes looked up per candidate (≤ 31 pairs × 8²). */
const PAIR_ALTERNATIVES = 8;

/**
 * The query's neighbouring token pairs (its first `MAX_QUERY_WORDS` tokens), each as the hashes of its
 * alternatives the index knows (stem, the other language's stem, concepts, then the word's expansions) —
 * see phrase.ts.
 */
export function queryPairs(ix: KbIndex, q: Pick<SearchOutcome, 'tokens' | 'units'>): number[][] {
  const out: number[][] = [];
  let prev: number[] | undefined;
  const bySurface = new Map(q.units.map((u) => [u.surface, u]));
  for (const tok of q.tokens.slice(0, MAX_QUERY_WORDS)) {
    const ids: number[] = [];
    for (const t of [tok.stem, tok.alt, ...tok.concepts]) {
      const id = t ? ix.termIds.get(t) : undefined;
      if (id !== undefined && !ids.includes(id)) ids.push(id);
    }
    // …and what the word reaches through translations and typos (first `PAIR_ALTERNATIVES`), so that
    // `auditoría nocturna` can find `night audit` next to each other.
    for (const e of bySurface.get(tok.surface)?.expansions ?? []) {
      if (ids.length >= PAIR_ALTERNATIVES) break;
      if (!ids.includes(e.term)) ids.push(e.term);
    }
    if (prev) {
      const alts: number[] = [];
      pairsBetween(prev, ids, alts);
      out.push(alts);
    }
    prev = ids;
  }
  return out;
}

function unitsOf(ix: KbIndex, tokens: readonly Token[], lang: 'en' | 'es' | undefined, tokClause?: readonly number[]): QueryUnit[] {
  const units: QueryUnit[] = [];
  const seen = new Set<string>();
  const unitOfKey = new Map<string, QueryUnit>();
  let typoLookups = 0;
  for (let ti = 0; ti < tokens.length; ti++) {
    const tok = tokens[ti]!;
    const key = tok.stem || tok.concepts.join('|');
    if (seen.has(key)) {
      const u = tokClause && unitOfKey.get(key);
      if (u) u.clauses = (u.clauses ?? 0) | (1 << tokClause[ti]!);
      continue;
    }
    if (seen.size >= MAX_QUERY_WORDS) break;
    seen.add(key);
    const ex: Expansion[] = [];
    const stemId = tok.stem ? ix.termIds.get(tok.stem) : undefined;
    if (stemId !== undefined) ex.push({ term: stemId, w: 1 });
    // The other language's stem of the same word (`conectado` stems to `conect` in Spanish).
    const altId = tok.alt ? ix.termIds.get(tok.alt) : undefined;
    if (altId !== undefined && altId !== stemId) ex.push({ term: altId, w: 1 });
    for (const c of tok.concepts) {
      const id = ix.termIds.get(c);
      if (id !== undefined && !ex.some((e) => e.term === id)) ex.push({ term: id, w: EXPANSION_WEIGHTS.concept });
    }
    // A word's own matches define how much it matters; a translation only stands in when the word
    // itself is unknown (a generic English word must not weigh as much as its rarer Spanish twin).
    let importance = 0;
    for (const e of ex) importance = Math.max(importance, e.w * ix.idf[e.term]! * topical(ix, e.term));
    const direct = ex.length;
    let beforeDictionary = -1;
    if (tok.stem) {
      const translations: Array<[string[], number]> = [
        [[...(ix.lexicon.get(tok.stem) ?? []), ...(tok.alt ? ix.lexicon.get(tok.alt) ?? [] : [])], EXPANSION_WEIGHTS.translation],
        [translate(ix.dictionary, tok.surface, lang), EXPANSION_WEIGHTS.dictionary],
      ];
      for (const [stems, w] of translations) {
        if (w === EXPANSION_WEIGHTS.dictionary) beforeDictionary = ex.length;
        for (const t of stems) {
          const targets = [t, ...(ix.glossary.byFirst.get(t) ?? []).filter((g) => g.stems.length === 1).flatMap((g) => g.concepts)];
          for (const term of targets) {
            const id = ix.termIds.get(term);
            if (id !== undefined && !ex.some((e) => e.term === id)) ex.push({ term: id, w });
          }
        }
      }
    }
    const translated = ex.length > direct;
    if (ex.length === 0 && tok.stem && !isCode(tok.surface)) {
      // A word of either language (not a misspelling) only reaches other forms of itself.
      const minLength = MODE.typoThreeLetters ? Math.min(3, MODE.realWordMinLength) : MODE.realWordMinLength;
      const realWord = MODE.realWordsNotTypos && tok.surface.length >= minLength && isDictionaryWord(ix.dictionary, tok.surface);
      if ((!realWord || MODE.realWordInflections || MODE.realWordNeighbours) && typoLookups++ < MAX_TYPO_LOOKUPS) {
        for (const e of typoExpansions(ix, tok.surface, realWord)) if (!ex.some((x) => x.term === e.term)) ex.push(e);
      }
    }
    if (!direct) for (const e of ex) importance = Math.max(importance, e.w * ix.idf[e.term]! * topical(ix, e.term));
    // Known only through the open dictionary: weighs no more than `IMPORTANCE.dictionaryOnly` rare words.
    if (beforeDictionary === 0 && ex.length > 0 && (translated || !MODE.typoImportance)) importance = Math.min(importance, ix.idfRare * IMPORTANCE.dictionaryOnly);
    // A generic support word (`problem`, `no funciona`) counts for a share of its weight (generic.ts).
    const g = genericFactor(tok.surface);
    if (g !== 1) {
      for (const e of ex) e.w *= g;
      importance *= g;
    }
    const known = ex.length > 0;
    if (!known) {
      // A stop word inside a glossary phrase that the articles never use adds nothing, and neither
      // does an unknown number (`10 min`, `3rd floor`): a code that matters is one the articles use.
      if (!tok.stem || isCode(tok.surface)) continue;
      importance = ix.idfRare * EXPANSION_WEIGHTS.unknown;
    }
    const unit: QueryUnit = { surface: tok.surface, expansions: ex, importance, known };
    if (tokClause) {
      unit.clauses = 1 << tokClause[ti]!;
      unitOfKey.set(key, unit);
    }
    units.push(unit);
  }
  if (MODE.typoLooseContext !== 'off') confirmLoose(ix, units);
  if (MODE.unknownLongUnits > 0 && units.length >= MODE.unknownLongUnits) {
    for (const u of units) if (!u.known) u.importance *= MODE.unknownLongFactor;
  }
  if (MODE.unknownLengthRef > 0 && units.length > MODE.unknownLengthRef) {
    const f = MODE.unknownLengthRef / units.length;
    for (const u of units) if (!u.known) u.importance *= f;
  }
  return units;
}

/** First position in `docs[lo .. hi)` (ascending) whose article is at least `d`. */
function lowerBound(docs: Int32Array, lo: number, hi: number, d: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (docs[mid]! < d) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Whether some article with term `t` (a loose correction) also has at least `need` (> 0) of the importance of
 * `others` (sorted by importance, descending), each matched by itself, where its posting shares a bit of `mask`
 * with `t`'s (0: anywhere in the article). Per other word's term, the two postings lists are intersected by
 * whichever is cheaper — binary searches from the shorter one or a merge — so the cost stays within what
 * scoring the same words costs.
 */
function confirmedBy(ix: KbIndex, t: number, others: readonly QueryUnit[], total: number, need: number, mask: number): boolean {
  const { docs, where, start } = ix;
  const l0 = start[t]!;
  const l1 = start[t + 1]!;
  const n = l1 - l0;
  if (!n) return false;
  const acc = new Float64Array(n);
  const credited = new Int32Array(n).fill(-1);
  let best = 0;
  let left = total;
  for (let oi = 0; oi < others.length; oi++) {
    if (best + left < need) return false;
    const o = others[oi]!;
    left -= o.importance;
    const credit = (pl: number, px: number): void => {
      const k = pl - l0;
      if (credited[k] === oi || (mask && (where[pl]! & where[px]! & mask) === 0)) return;
      credited[k] = oi;
      acc[k] = acc[k]! + o.importance;
      if (acc[k]! > best) best = acc[k]!;
    };
    for (const x of o.expansions) {
      if (x.loose || x.term === t) continue;
      const x0 = start[x.term]!;
      const x1 = start[x.term + 1]!;
      const m = x1 - x0;
      if (m * Math.log2(n + 1) < n + m) {
        for (let px = x0; px < x1; px++) {
          const pl = lowerBound(docs, l0, l1, docs[px]!);
          if (pl < l1 && docs[pl] === docs[px]) credit(pl, px);
        }
      } else if (n * Math.log2(m + 1) < n + m) {
        for (let pl = l0; pl < l1; pl++) {
          const px = lowerBound(docs, x0, x1, docs[pl]!);
          if (px < x1 && docs[px] === docs[pl]) credit(pl, px);
        }
      } else {
        for (let pl = l0, px = x0; pl < l1 && px < x1; ) {
          if (docs[pl]! < docs[px]!) pl++;
          else if (docs[pl]! > docs[px]!) px++;
          else credit(pl++, px++);
        }
      }
    }
    if (best > 0 && best >= need) return true;
  }
  return best > 0 && best >= need;
}

/**
 * Ninth session (h-typo2): a loose typo correction (two edits, `MODE.typoLoose`) stands only when the
 * question confirms it — some article with the corrected word also has (`MODE.typoLooseContext`: anywhere,
 * in the same passage, in its heading) at least `MODE.typoLooseShare` of the importance of the query's other
 * words, matched by themselves (not through a loose correction), and at least one of them. Otherwise the word
 * is unknown: a question about a product this knowledge base lacks (`macos`, `drone`) does not become one
 * about the nearest title word (`pagos`, `phone`), nor does a chat message's word the dictionary lacks
 * (`vienen` → `viewer`). Bounded: ≤ `MAX_TYPO_LOOKUPS` words × 3 corrections × their stems, each intersected
 * with ≤ `MAX_QUERY_WORDS` words' terms ({@link confirmedBy}); no user text.
 */
function confirmLoose(ix: KbIndex, units: QueryUnit[]): void {
  const mask = MODE.typoLooseContext === 'head' ? HEAD_BIT : MODE.typoLooseContext === 'passage' ? ~0 : 0;
  for (const u of units) {
    if (!u.expansions.some((e) => e.loose)) continue;
    const others = units.filter((o) => o !== u).sort((a, b) => b.importance - a.importance);
    let total = 0;
    for (const o of others) total += o.importance;
    const need = MODE.typoLooseShare * total;
    if (u.expansions.some((e) => e.loose && confirmedBy(ix, e.term, others, total, need, mask))) continue;
    u.expansions = u.expansions.filter((e) => !e.loose);
    if (!u.expansions.length) {
      u.known = false;
      u.importance = ix.idfRare * EXPANSION_WEIGHTS.unknown;
    }
  }
}

/**
 * Per-article accumulators, reused by every query (search is synchronous, one query at a time): at 10k
 * articles a common word touches most of the index, and allocating per touched article cost more than
 * the scoring (eighth session). `seen[d] === epoch` marks an article touched by the current query.
 */
interface Scratch {
  n: number;
  bm25: Float64Array;
  cov: Float64Array;
  matched: Int32Array;
  best: Float64Array;
  bestW: Float64Array;
  lead: Float64Array;
  seen: Uint32Array;
  keys: Float64Array;
  touched: number[];
  local: number[];
}
let scratch: Scratch | undefined;
let epoch = 0;

function buffers(n: number): Scratch {
  if (!scratch || scratch.n < n) {
    const m = Math.max(n, 1024);
    const f = (): Float64Array => new Float64Array(m);
    scratch = { n: m, bm25: f(), cov: f(), matched: new Int32Array(m), best: f(), bestW: f(), lead: f(), seen: new Uint32Array(m), keys: f(), touched: [], local: [] };
    epoch = 0;
  }
  if (++epoch === 0xffffffff) {
    scratch.seen.fill(0);
    epoch = 1;
  }
  return scratch;
}

/**
 * Keep only the `pool` best candidates by `key` (largest first, ties in the order the articles were
 * first matched — what a stable sort of all of them would give), so that only those become objects.
 */
export interface TopPick {
  pool: number;
  /** `lang`: the query's language when its words tell (`SearchOutcome.lang`). */
  key: (doc: number, bm25: number, lang: 'en' | 'es' | undefined) => number;
}

/** The articles matching at least one query unit, with their features: all (unsorted), or `top`'s best few. */
export function evaluate(ix: KbIndex, query: string, top?: TopPick): SearchOutcome {
  const cleaned = cleanQuery(boundQuery(query));
  const surfaces = words(cleaned);
  const lang = detectLang(surfaces);
  const positions: number[] | undefined = MODE.clauseFeature ? [] : undefined;
  const tokens = analyze(cleaned, ix.glossary, undefined, positions);
  let tokClause: number[] | undefined;
  if (positions) {
    const of = clauseOfWords(cleaned, MODE.clauseConjunctions, MODE.clauseHyphenJoins);
    tokClause = positions.map((p) => of[p] ?? 0);
  }
  const units = unitsOf(ix, tokens, lang, tokClause);
  const clauseMasks = tokClause ? clauseMasksOf(units) : [];
  const lead = MODE.leadSingleClause && clauseMasks.length >= 2 ? undefined : leadWord(surfaces);
  // An unknown leading word is missed by every article alike: it says nothing about one article.
  const leadUnit = lead === undefined ? -1 : units.findIndex((u) => u.surface === lead && u.known);
  const leadUnknown = MODE.roleFeatures && lead !== undefined && leadUnit < 0 && units.some((u) => u.surface === lead) && isDictionaryWord(ix.dictionary, lead);
  const totalImportance = units.reduce((s, u) => s + u.importance, 0);
  const buf = buffers(ix.articles.length);
  const { touched, local } = buf;
  touched.length = 0;
  for (let ui = 0; ui < units.length; ui++) {
    const u = units[ui]!;
    local.length = 0;
    for (const e of u.expansions) {
      const idf = ix.idf[e.term]!;
      for (let p = ix.start[e.term]!, end = ix.start[e.term + 1]!; p < end; p++) {
        const d = ix.docs[p]!;
        const v = e.w * idf * ix.norm[p]!;
        if (ui === leadUnit && e.w * ix.norm[p]! > buf.lead[d]!) buf.lead[d] = e.w * ix.norm[p]!;
        if (buf.best[d] === 0) local.push(d);
        if (v > buf.best[d]!) {
          buf.best[d] = v;
          buf.bestW[d] = Math.min(e.w * idf, u.importance);
        }
      }
    }
    for (const d of local) {
      if (buf.seen[d] !== epoch) {
        buf.seen[d] = epoch;
        touched.push(d);
        buf.bm25[d] = 0;
        buf.cov[d] = 0;
        buf.matched[d] = 0;
      }
      buf.bm25[d]! += buf.best[d]!;
      buf.cov[d]! += buf.bestW[d]!;
      buf.matched[d]!++;
      buf.best[d] = 0;
      buf.bestW[d] = 0;
    }
  }
  let docs: readonly number[] = touched;
  if (top) {
    for (let i = 0; i < touched.length; i++) buf.keys[i] = top.key(touched[i]!, buf.bm25[touched[i]!]!, lang);
    docs = topPositions(buf.keys, touched.length, top.pool).map((i) => touched[i]!);
  }
  const candidates: Candidate[] = docs.map((d) => ({
    doc: d,
    bm25: buf.bm25[d]!,
    coverage: totalImportance > 0 ? buf.cov[d]! / totalImportance : 0,
    matched: buf.matched[d]!,
    lead: buf.lead[d]!,
  }));
  if (leadUnit >= 0) for (const d of touched) buf.lead[d] = 0;
  return { units, lang, totalImportance, candidates, tokens, leadUnit, leadUnknown, clauseMasks };
}

/** The clauses (bits) holding at least two query words, when the query has more than one clause. */
function clauseMasksOf(units: readonly QueryUnit[]): number[] {
  const count = new Map<number, number>();
  for (const u of units) for (let b = 0; b < 32; b++) if ((u.clauses ?? 0) & (1 << b)) count.set(b, (count.get(b) ?? 0) + 1);
  if (count.size < 2) return [];
  return [...count].filter(([, n]) => n >= 2).map(([b]) => 1 << b);
}

/** Per-clause scratch for {@link clauseCoverage} (at most 32 clauses): no allocation per candidate. */
const CLAUSE_GOT = new Float64Array(32);
const CLAUSE_ALL = new Float64Array(32);

/**
 * Clause coverage (eighth session, `MODE.clauseFeature`): the article's best coverage of one clause of
 * the query — a chat message says its question in one clause and its context (`I'm at the airport`,
 * `back from leave`) in others — the whole query counting as one of them, so it is never under `coverage`.
 * Per candidate of the pool (≤ 10): one binary search per query word's expansion.
 */
export function clauseCoverage(ix: KbIndex, out: Pick<SearchOutcome, 'units' | 'totalImportance' | 'clauseMasks'>, doc: number, coverage: number): number {
  if (!out.clauseMasks.length) return coverage;
  const got = CLAUSE_GOT.fill(0, 0, out.clauseMasks.length);
  const all = CLAUSE_ALL.fill(0, 0, out.clauseMasks.length);
  for (const u of out.units) {
    let bestV = 0;
    let bestW = 0;
    for (const e of u.expansions) {
      const p = postingOf(ix, e.term, doc);
      if (p < 0) continue;
      const v = e.w * ix.idf[e.term]! * ix.norm[p]!;
      if (v > bestV) {
        bestV = v;
        bestW = Math.min(e.w * ix.idf[e.term]!, u.importance);
      }
    }
    for (let c = 0; c < out.clauseMasks.length; c++) {
      if (!((u.clauses ?? 0) & out.clauseMasks[c]!)) continue;
      all[c]! += u.importance;
      got[c]! += bestW;
    }
  }
  let best = coverage;
  for (let c = 0; c < out.clauseMasks.length; c++) if (all[c]! > 0 && got[c]! / all[c]! > best) best = got[c]! / all[c]!;
  return Math.min(1, best);
}

/** The posting of `doc` in term `t`'s list (docs ascending), or −1. */
function postingOf(ix: KbIndex, t: number, doc: number): number {
  let lo = ix.start[t]!;
  let hi = ix.start[t + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const d = ix.docs[mid]!;
    if (d === doc) return mid;
    if (d < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * Passage coverage: the share of the query's importance the article matches within one passage — one
 * body sentence (a group of consecutive sentences in an article of more than 31) — a word in the title,
 * tags or summary counting in every passage. The same as `coverage` when the matched words stand
 * together or in the article's heading; lower when they are scattered over an article that mentions each
 * in passing (`firma` → `sign` in one step, `gmail` in another). Per candidate of the pool (≤ 10): one
 * binary search per query word's expansion. (A window of two neighbouring sentences, and the share of
 * the *matched* weight instead of the query's, were measured too: docs/kb.md, fifth session.)
 */
export function passageCoverage(ix: KbIndex, out: Pick<SearchOutcome, 'units' | 'totalImportance'>, doc: number): number {
  if (!(out.totalImportance > 0)) return 0;
  const perPassage = new Float64Array(PASSAGES);
  let head = 0;
  for (const u of out.units) {
    let bestV = 0;
    let bestW = 0;
    let where = 0;
    for (const e of u.expansions) {
      const p = postingOf(ix, e.term, doc);
      if (p < 0) continue;
      const idf = ix.idf[e.term]!;
      const v = e.w * idf * ix.norm[p]!;
      where |= ix.where[p]!;
      if (v > bestV) {
        bestV = v;
        bestW = Math.min(e.w * idf, u.importance);
      }
    }
    if (bestV === 0) continue;
    if (where & HEAD_BIT) {
      head += bestW;
      continue;
    }
    for (let b = 0; b < PASSAGES; b++) if (where & (1 << b)) perPassage[b]! += bestW;
  }
  let best = 0;
  for (let b = 0; b < PASSAGES; b++) if (perPassage[b]! > best) best = perPassage[b]!;
  return Math.min(1, (head + best) / out.totalImportance);
}

export interface RoleFeatures {
  leadBody: number;
  leadApart: number;
  leadUnknown: number;
  headCover: number;
  missedElsewhere: number;
}

const NO_ROLE_FEATURES: RoleFeatures = { leadBody: 0, leadApart: 0, leadUnknown: 0, headCover: 0, missedElsewhere: 0 };

/**
 * The roles of the query's words in one article (seventh session, `MODE.roleFeatures`): whether the
 * article has the query's leading word only in its body (`leadBody`), and there only in sentences that
 * hold no other matched query word (`leadApart`: `reassign` mentioned in a step of an article whose
 * title names the product); whether the leading word is a real word the knowledge base lacks
 * (`leadUnknown`, the same for every article); the share of the article's title words the query has
 * (`headCover`); and the share of the query's importance in words this article misses that another
 * article is about (`missedElsewhere`: their peak term frequency reaches `IMPORTANCE.topicalRef`).
 * Per candidate of the pool (≤ 10): one binary search per query word's expansion, one pass over the title.
 */
export function roleFeatures(ix: KbIndex, out: Pick<SearchOutcome, 'units' | 'totalImportance' | 'leadUnit' | 'leadUnknown'>, doc: number): RoleFeatures {
  if (!MODE.roleFeatures || !(out.totalImportance > 0)) return NO_ROLE_FEATURES;
  let leadWhere = 0;
  let othersBody = 0;
  let missedElsewhere = 0;
  const qTerms = new Set<number>();
  for (let ui = 0; ui < out.units.length; ui++) {
    const u = out.units[ui]!;
    let where = 0;
    let matched = false;
    let peak = 0;
    for (const e of u.expansions) {
      qTerms.add(e.term);
      if (ix.peak[e.term]! * e.w > peak) peak = ix.peak[e.term]! * e.w;
      const p = postingOf(ix, e.term, doc);
      if (p < 0) continue;
      matched = true;
      where |= ix.where[p]!;
    }
    if (!matched) {
      if (u.known && peak >= IMPORTANCE.topicalRef) missedElsewhere += u.importance;
      continue;
    }
    if (ui === out.leadUnit) leadWhere = where;
    else if (!(where & HEAD_BIT)) othersBody |= where;
  }
  const leadBody = out.leadUnit >= 0 && leadWhere !== 0 && !(leadWhere & HEAD_BIT) ? 1 : 0;
  const leadApart = leadBody && !(leadWhere & othersBody) ? 1 : 0;
  let covered = 0;
  const t0 = ix.titleStart[doc]!;
  const t1 = ix.titleStart[doc + 1]!;
  for (let k = t0; k < t1; k++) {
    for (let j = ix.titleTok[k]!; j < ix.titleTok[k + 1]!; j++) {
      if (qTerms.has(ix.titleTerms[j]!)) {
        covered++;
        break;
      }
    }
  }
  return {
    leadBody,
    leadApart,
    leadUnknown: out.leadUnknown ? 1 : 0,
    headCover: t1 > t0 ? covered / (t1 - t0) : 0,
    missedElsewhere: Math.min(1, missedElsewhere / out.totalImportance),
  };
}
