/**
 * The search index: BM25F over stemmed, folded words and glossary concepts, stored as one
 * compressed-row posting table (term → docs, saturated term weight), plus a trigram vocabulary
 * for typo tolerance. Built once per load (a few seconds per 10k articles: `buildIndex` in one go, `buildIndexAsync`
 * in slices that leave the event loop free, for a hot reload); queried without I/O.
 */
import { analyze, type Token } from './analyze.js';
import { sentenceOfWords } from './text.js';
import { fuzzyVocabSteps, type FuzzyVocab } from './fuzzy.js';
import { CONCEPT_PREFIX, defaultGlossary, type Glossary } from './glossary.js';
import { defaultDictionary, type BilingualDictionary } from './dictionary.js';
import { defaultLexicon, type Lexicon } from './lexicon.js';
import { PairTable, pairsBetween } from './phrase.js';
import type { Article } from './types.js';

/** Relative weight of a word found in each field. */
export interface FieldWeights {
  /** @defaultValue 3 */
  title: number;
  /** @defaultValue 2.5 */
  tags: number;
  /** @defaultValue 1.5 */
  summary: number;
  /** @defaultValue 1 */
  body: number;
}

export interface IndexOptions {
  fieldWeights?: Partial<FieldWeights>;
  glossary?: Glossary;
  /** Everyday Spanish ↔ English words for query translation. @defaultValue kb/data/lexicon.yaml */
  lexicon?: Lexicon;
  /** Open Spanish ↔ English dictionary (FreeDict). @defaultValue kb/data/lexicon-freedict.tsv */
  dictionary?: BilingualDictionary;
  /** BM25 term-frequency saturation. @defaultValue 1.2 */
  k1?: number;
  /** BM25 length normalisation. @defaultValue 0.75 */
  b?: number;
}

export const DEFAULT_FIELD_WEIGHTS: FieldWeights = { title: 3, tags: 2.5, summary: 1.5, body: 1 };

export interface KbIndex {
  articles: Article[];
  glossary: Glossary;
  lexicon: Lexicon;
  dictionary: BilingualDictionary;
  termIds: Map<string, number>;
  /** Postings of term t are docs[start[t] .. start[t+1]) with weights norm[…] in [0, 1). */
  start: Int32Array;
  docs: Int32Array;
  norm: Float32Array;
  /**
   * Per posting, where in its article the term stands: bit {@link HEAD_BIT} for the title, tags or
   * summary (what the whole article is about), bits 0–30 for the body's passages (its sentences,
   * consecutive ones grouped into at most {@link PASSAGES} groups in order). See {@link passageOf}.
   */
  where: Uint32Array;
  idf: Float32Array;
  /**
   * Per term, its highest saturated term frequency in any article (the largest `norm` of its
   * postings): high when some article is about it (title, tags, repeated), low when every article
   * mentions it only in passing.
   */
  peak: Float32Array;
  /** idf of a term seen in a single article: what an unknown query word is worth. */
  idfRare: number;
  /** Folded surface word → its stem, for words in articles and in the glossary. */
  surfaceStem: Map<string, string>;
  /** Glossary concepts of single words (`contrasena` → [`~password`]). */
  surfaceConcepts: Map<string, string[]>;
  /** Folded content words of the articles' titles and tags: what the knowledge base is about (typo neighbours of real words, search.ts). */
  titleWords: Set<string>;
  fuzzy: FuzzyVocab;
  buildMs: number;
  /**
   * Neighbouring term pairs per article as sorted hashes (article d's: `pairs[pairStart[d] .. pairStart[d+1])`),
   * built on first use by {@link phrasePairs}: only the phrase feature needs them, and it is off by default.
   */
  phrase?: { pairStart: Int32Array; pairs: Uint32Array };
  /** Article d's {@link DISTINCTIVE_TERMS} highest-weighted terms are distinctive[d·K … d·K+K), −1 when fewer. */
  distinctive: Int32Array;
  /**
   * Article d's title as content tokens, each its term ids (stem and concepts): `titleTerms[titleStart[…]]`
   * with token k of article d spanning `titleTok[titleStart[d] + k] .. titleTok[titleStart[d] + k + 1]`
   * (seventh session, h-neg: how much of an article's title the query covers).
   */
  titleStart: Int32Array;
  titleTok: Int32Array;
  titleTerms: Int32Array;
}

/** Terms kept per article for pseudo-relevance feedback. */
export const DISTINCTIVE_TERMS = 10;

/** Body passages told apart per article (bits 0 … PASSAGES − 1 of `where`). */
export const PASSAGES = 31;
/** The `where` bit of the title, tags and summary. */
export const HEAD_BIT = 1 << 31;

/** The passage bit of sentence `i` of `n`: consecutive sentences grouped into at most PASSAGES groups. */
export const passageOf = (i: number, n: number): number => 1 << (n <= PASSAGES ? i : Math.floor((i * PASSAGES) / n));

class Growable {
  ints = new Int32Array(1 << 16);
  terms = new Int32Array(1 << 16);
  tfs = new Float32Array(1 << 16);
  wheres = new Uint32Array(1 << 16);
  n = 0;
  push(term: number, doc: number, tf: number, where: number): void {
    if (this.n === this.ints.length) {
      const grow = <T extends Int32Array | Float32Array | Uint32Array>(a: T, C: new (n: number) => T): T => {
        const b = new C(a.length * 2);
        b.set(a);
        return b;
      };
      this.ints = grow(this.ints, Int32Array);
      this.terms = grow(this.terms, Int32Array);
      this.tfs = grow(this.tfs, Float32Array);
      this.wheres = grow(this.wheres, Uint32Array);
    }
    this.terms[this.n] = term;
    this.ints[this.n] = doc;
    this.tfs[this.n] = tf;
    this.wheres[this.n] = where;
    this.n++;
  }
}

/** Postings handled between two yields of the build's posting passes. */
const POSTING_STEP = 1 << 15;

/** Builds the index synchronously (start-up, CLI, benches, tests). See {@link buildIndexAsync} for a hot reload. */
export function buildIndex(articles: Article[], opts: IndexOptions = {}): KbIndex {
  const steps = indexSteps(articles, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export interface AsyncBuildOptions {
  /**
   * Longest stretch the build holds the event loop before it yields (setImmediate) so requests,
   * timers and I/O run in between. `Infinity` builds in one go (the synchronous build). @defaultValue 10
   */
  sliceMs?: number;
}

/**
 * The same build as {@link buildIndex} (the same steps, so the same index), cut into slices of at most
 * about `sliceMs` that give the event loop back in between: a hot reload of a large knowledge base
 * keeps the helpdesk answering (on the old index) while the new one is built. `buildMs` is the wall time,
 * yields included.
 */
export async function buildIndexAsync(articles: Article[], opts: IndexOptions = {}, build: AsyncBuildOptions = {}): Promise<KbIndex> {
  const sliceMs = build.sliceMs ?? 10;
  const steps = indexSteps(articles, opts);
  for (;;) {
    const t = performance.now();
    let r = steps.next();
    while (!r.done && performance.now() - t < sliceMs) r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/**
 * The index build as a generator: it yields after each article and every {@link POSTING_STEP} postings
 * of the later passes, where a driver may hand the event loop back; the result is the same however it
 * is driven.
 */
function* indexSteps(articles: Article[], opts: IndexOptions): Generator<void, KbIndex, void> {
  const t0 = performance.now();
  const glossary = opts.glossary ?? defaultGlossary();
  const w = { ...DEFAULT_FIELD_WEIGHTS, ...opts.fieldWeights };
  const k1 = opts.k1 ?? 1.2;
  const b = opts.b ?? 0.75;
  const termIds = new Map<string, number>();
  const surfaceStem = new Map<string, string>();
  const surfaceConcepts = new Map<string, string[]>();
  const surfaceDf = new Map<string, number>();
  const titleWords = new Set<string>();
  const post = new Growable();
  const docLen = new Float32Array(articles.length);
  const titleStart = new Int32Array(articles.length + 1);
  const titleTok: number[] = [];
  const titleTerms: number[] = [];
  const dfArr: number[] = [];
  const idOf = (term: string): number => {
    let id = termIds.get(term);
    if (id === undefined) {
      id = termIds.size;
      termIds.set(term, id);
      dfArr.push(0);
    }
    return id;
  };

  for (let doc = 0; doc < articles.length; doc++) {
    if (doc) yield;
    const a = articles[doc]!;
    const tf = new Map<string, number>();
    const where = new Map<string, number>();
    const seenSurface = new Set<string>();
    let len = 0;
    const add = (text: string, weight: number, bitOf: (k: number) => number, positions?: number[], heading?: Set<string>, each?: (tok: Token) => void): void => {
      let bit = 0;
      const at = (term: string): void => {
        tf.set(term, (tf.get(term) ?? 0) + weight);
        where.set(term, (where.get(term) ?? 0) | bit);
      };
      const toks = analyze(text, glossary, a.lang || 'en', positions);
      for (let k = 0; k < toks.length; k++) {
        const tok = toks[k]!;
        bit = bitOf(k);
        // A title or tag word, content or in a glossary phrase (`cuenta` is a Spanish stop word with a concept).
        heading?.add(tok.surface);
        each?.(tok);
        if (tok.stem) {
          at(tok.stem);
          len += weight;
          if (!seenSurface.has(tok.surface)) {
            seenSurface.add(tok.surface);
            if (!surfaceStem.has(tok.surface)) surfaceStem.set(tok.surface, tok.stem);
          }
        }
        for (const c of tok.concepts) at(c);
      }
    };
    const head = (): number => HEAD_BIT;
    titleStart[doc] = titleTok.length;
    // The title's tokens as term ids, for the share of the title a query has (search.ts `roleFeatures`).
    add(a.title, w.title, head, undefined, titleWords, (tok) => {
      if (!tok.stem && !tok.concepts.length) return;
      titleTok.push(titleTerms.length);
      if (tok.stem) titleTerms.push(idOf(tok.stem));
      for (const c of tok.concepts) titleTerms.push(idOf(c));
    });
    add(a.tags.join(' , '), w.tags, head, undefined, titleWords);
    add(a.summary, w.summary, head);
    // The body's words know their sentence, so each term knows which passages it stands in.
    const sentences = sentenceOfWords(a.body);
    const positions: number[] = [];
    add(a.body, w.body, (k) => passageOf(sentences.of[positions[k]!] ?? 0, sentences.count), positions);
    docLen[doc] = len;
    titleStart[doc + 1] = titleTok.length;
    for (const s of seenSurface) surfaceDf.set(s, (surfaceDf.get(s) ?? 0) + 1);
    for (const [term, f] of tf) {
      const id = idOf(term);
      dfArr[id]!++;
      post.push(id, doc, f, where.get(term)! >>> 0);
    }
  }
  yield;

  // Glossary words are known words too: a typo of `contraseña` should reach the password concept.
  for (const [surface, concepts] of glossaryWords(glossary)) {
    surfaceConcepts.set(surface, concepts);
    if (!surfaceDf.has(surface)) surfaceDf.set(surface, 0);
  }

  // Counting sort of the postings by term: CSR arrays, docs ascending within a term.
  const T = termIds.size;
  const N = articles.length;
  const start = new Int32Array(T + 1);
  for (let i = 0; i < post.n; i++) start[post.terms[i]! + 1]!++;
  yield;
  for (let t = 0; t < T; t++) start[t + 1]! += start[t]!;
  const fill = start.slice(0, T);
  const docs = new Int32Array(post.n);
  const norm = new Float32Array(post.n);
  const whereArr = new Uint32Array(post.n);
  let avg = 0;
  for (let d = 0; d < N; d++) avg += docLen[d]!;
  avg = N ? avg / N || 1 : 1;
  for (let i = 0; i < post.n; i++) {
    if (i % POSTING_STEP === POSTING_STEP - 1) yield;
    const t = post.terms[i]!;
    const pos = fill[t]!++;
    const d = post.ints[i]!;
    const f = post.tfs[i]!;
    docs[pos] = d;
    whereArr[pos] = post.wheres[i]!;
    norm[pos] = f / (f + k1 * (1 - b + (b * docLen[d]!) / avg));
  }
  const idf = new Float32Array(T);
  for (let t = 0; t < T; t++) idf[t] = Math.log(1 + (N - dfArr[t]! + 0.5) / (dfArr[t]! + 0.5));
  const idfRare = Math.log(1 + (N - 1 + 0.5) / 1.5);
  yield;
  const peak = new Float32Array(T);
  for (let t = 0; t < T; t++) for (let p = start[t]!; p < start[t + 1]!; p++) if (norm[p]! > peak[t]!) peak[t] = norm[p]!;
  // Each article's most distinctive terms (saturated tf × idf), for pseudo-relevance feedback (rank.ts).
  const K = DISTINCTIVE_TERMS;
  const topTerms = new Int32Array(N * K).fill(-1);
  const topW = new Float32Array(N * K);
  yield;
  for (let i = 0; i < post.n; i++) {
    if (i % POSTING_STEP === POSTING_STEP - 1) yield;
    const t = post.terms[i]!;
    const d = post.ints[i]!;
    const f = post.tfs[i]!;
    const wgt = (f / (f + k1 * (1 - b + (b * docLen[d]!) / avg))) * idf[t]!;
    let m = d * K;
    for (let k = 1; k < K; k++) if (topW[d * K + k]! < topW[m]!) m = d * K + k;
    if (wgt > topW[m]!) { topW[m] = wgt; topTerms[m] = t; }
  }
  yield;
  const fuzzy = yield* fuzzyVocabSteps(surfaceDf);
  titleTok.push(titleTerms.length);
  return { titleStart, titleTok: Int32Array.from(titleTok), titleTerms: Int32Array.from(titleTerms), distinctive: topTerms, articles, glossary, lexicon: opts.lexicon ?? defaultLexicon(), dictionary: opts.dictionary ?? defaultDictionary(), termIds, start, docs, norm, where: whereArr, idf, peak, idfRare, surfaceStem, surfaceConcepts, titleWords, fuzzy, buildMs: performance.now() - t0 };
}

/** Single glossary words with their concepts (`impresora` → [`~print`]). */
function glossaryWords(g: Glossary): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [surface, concepts] of g.words) out.set(surface, concepts);
  return out;
}

export const isConcept = (term: string): boolean => term.startsWith(CONCEPT_PREFIX);

/**
 * The index's neighbouring-pair table (phrase.ts), built from the articles on first call and kept on
 * the index: the same analysis as indexing (per field, stop words dropped), each token's stem and
 * concepts as term ids. About 1 s and 10 MB at 10k articles; call it at start-up to avoid paying it on
 * the first query when the phrase feature is used.
 */
export function phrasePairs(ix: KbIndex): NonNullable<KbIndex['phrase']> {
  if (ix.phrase) return ix.phrase;
  const table = new PairTable();
  for (const a of ix.articles) {
    const docPairs: number[] = [];
    for (const text of [a.title, a.tags.join(' , '), a.summary, a.body]) {
      let prev: number[] = [];
      for (const tok of analyze(text, ix.glossary, a.lang || 'en')) {
        const ids: number[] = [];
        for (const t of [...tok.concepts, tok.stem]) {
          const id = t ? ix.termIds.get(t) : undefined;
          if (id !== undefined) ids.push(id);
        }
        pairsBetween(prev, ids, docPairs);
        prev = ids;
      }
    }
    table.addDoc(docPairs);
  }
  ix.phrase = table.finish();
  return ix.phrase;
}
