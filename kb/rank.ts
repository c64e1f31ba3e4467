/** From raw candidates to ranked, scored suggestions: features, calibration, language preference. */
import { calibratedScore, DEFAULT_CALIBRATION, type Calibration, type ScoreFeatures } from './calibration.js';
import { DISTINCTIVE_TERMS, phrasePairs, type KbIndex } from './search-index.js';
import { phraseShare } from './phrase.js';
import { clauseCoverage, evaluate, IMPORTANCE, passageCoverage, queryPairs, roleFeatures, type Candidate, type SearchOutcome } from './search.js';

export interface RankOptions {
  /** @defaultValue 3 */
  limit?: number;
  /**
   * The requester's language or locale (`es`, `es-ES`), used when the query's own words do not tell
   * its language. Articles in the asker's language rank first when they score about as well (a
   * translation of the same article, typically); never a filter.
   */
  lang?: string;
  calibration?: Calibration;
  /** Multiplicative ranking boost per article id (feedback), each within [-0.15, 0.15]. */
  boosts?: ReadonlyMap<string, number>;
  /**
   * Pseudo-relevance feedback weight (0 = off, the default; see {@link FEEDBACK}). Applied only when the
   * first pass already has an answer, so a question that gets nothing keeps getting nothing.
   */
  feedback?: number;
  /** Compute the phrase feature even when the calibration gives it no weight (for fitting it). */
  withPhrase?: boolean;
  /** Return candidates under the threshold too (for calibration and diagnostics). */
  keepBelowThreshold?: boolean;
}

export interface Ranked {
  doc: number;
  score: number;
  features: ScoreFeatures;
  bm25: number;
}

/** Same-language articles get this much more weight in the first-pass order. */
const LANG_BONUS = 0.05;
/** An article in the asker's language goes before one in another language scoring at most this much more. */
export const LANG_SWAP_MARGIN = 0.15;

/** `pairs`: the query's word pairs ({@link queryPairs}) when the phrase feature is wanted, else it is 0. */
export function featuresOf(ix: KbIndex, out: SearchOutcome, c: Candidate, best: number, second: number, pairs?: number[][]): ScoreFeatures {
  const total = out.totalImportance || 1;
  return {
    gap: best > 0 ? 1 - second / best : 0,
    rel: best > 0 ? Math.min(1, c.bm25 / best) : 0,
    coverage: c.coverage,
    strength: Math.min(1, c.bm25 / total),
    matched: Math.min(c.matched, 4) / 4,
    mass: Math.min((c.coverage * out.totalImportance) / ix.idfRare, 3) / 3,
    short: out.units.length <= 2 ? 1 : 0,
    phrase: pairs ? phraseShare(phrasePairs(ix), pairs, c.doc) : 0,
    // How far the article is from being about the query's leading word (0 when topical, 1 when absent).
    leadMissed: out.leadUnit < 0 ? 0 : 1 - Math.min(1, c.lead / IMPORTANCE.topicalRef),
    passage: passageCoverage(ix, out, c.doc),
    ...roleFeatures(ix, out, c.doc),
    clause: clauseCoverage(ix, out, c.doc, c.coverage),
  };
}

/** Ranks a query's candidates; with `keepBelowThreshold` unset, only suggestions worth showing. */
export function rank(ix: KbIndex, query: string, opts: RankOptions = {}): Ranked[] {
  const limit = opts.limit ?? 3;
  const cal = opts.calibration ?? DEFAULT_CALIBRATION;
  // The question's own language when its words tell, else the person's (`es-ES` → `es`).
  const person = opts.lang ? opts.lang.toLowerCase().split(/[-_]/)[0] : undefined;
  const key = (doc: number, bm25: number, queryLang: string | undefined): number => {
    const a = ix.articles[doc]!;
    const want = queryLang ?? person;
    let k = bm25;
    if (want && a.lang === want) k *= 1 + LANG_BONUS;
    const b = opts.boosts?.get(a.id);
    if (b) k *= 1 + b;
    return k;
  };
  // Partial selection: only the best few (by `key`, best first) need features and calibration.
  const pool = Math.max(limit * 3, 10);
  const out = evaluate(ix, query, { pool, key });
  if (!out.candidates.length) return [];
  // Word pairs only when the phrase feature counts (or is being fitted): off by default (calibration.ts).
  const pairs = cal.weights.phrase || opts.withPhrase ? queryPairs(ix, out) : undefined;
  const want = out.lang ?? person;
  const top = out.candidates.map((c) => ({ c, k: key(c.doc, c.bm25, out.lang) }));
  // Pseudo-relevance feedback, only when the first pass already has an answer: a question that gets
  // nothing keeps getting nothing.
  const fbWeight = opts.feedback ?? FEEDBACK.weight;
  if (fbWeight > 0 && top.length > 1) {
    const b0 = top.map(({ c }) => c.bm25).sort((a, b) => b - a);
    const first = Math.max(...top.map(({ c }) => calibratedScore(featuresOf(ix, out, c, b0[0] ?? 0, b0[1] ?? 0, pairs), cal)));
    if (first >= cal.threshold) {
      feedback(ix, out, top.map((x) => x.c), fbWeight);
      for (const x of top) x.k = key(x.c.doc, x.c.bm25, out.lang);
      top.sort((a, b) => b.k - a.k);
    }
  }
  const bms = top.map(({ c }) => c.bm25).sort((a, b) => b - a);
  const [best = 0, second = 0] = bms;
  const ranked: Ranked[] = top.map(({ c }) => {
    const features = featuresOf(ix, out, c, best, second, pairs);
    let score = calibratedScore(features, cal);
    const b = opts.boosts?.get(ix.articles[c.doc]!.id);
    if (b) score = Math.min(1, Math.max(0, score * (1 + b)));
    return { doc: c.doc, score, features, bm25: c.bm25 };
  });
  if (want) preferLanguage(ix, ranked, want, cal.threshold);
  if (opts.keepBelowThreshold) return ranked.slice(0, limit);
  return slotCut(ranked, cal).slice(0, limit);
}

/** Moves an asker's-language article ahead of another-language one that scores only a little more. */
export function preferLanguage(ix: Pick<KbIndex, 'articles'>, ranked: Ranked[], want: string, threshold: number): void {
  for (let i = 0; i < ranked.length; i++) {
    const here = ranked[i]!;
    if (ix.articles[here.doc]!.lang === want) continue;
    const j = ranked.findIndex((r, k) => k > i && ix.articles[r.doc]!.lang === want && r.score >= threshold && r.score >= here.score - LANG_SWAP_MARGIN);
    if (j < 0) continue;
    const [moved] = ranked.splice(j, 1);
    ranked.splice(i, 0, moved!);
  }
}

/** The calibrated cut-off per slot: later slots need more, and a share of the first one's score. */
export function slotCut(ranked: readonly Ranked[], cal: Calibration): Ranked[] {
  const out: Ranked[] = [];
  for (const r of ranked) {
    const slot = out.length;
    const need = cal.threshold + (cal.slotStep ?? 0) * slot;
    if (r.score < need) continue;
    if (slot > 0 && r.score < (cal.slotRatio ?? 0) * out[0]!.score) continue;
    out.push(r);
  }
  return out;
}

/**
 * Pseudo-relevance feedback: the distinctive terms of the first `docs` hits (weighted by their BM25F
 * over the best's), minus the terms the query already reaches, score each candidate of the pool by how
 * much of them it has; that similarity, scaled to `weight` × the best BM25F, is added to its BM25F.
 * Off by default: on kb-dev + kb-holdout, 0.1 adds one kb-dev query for 0.01 more wrong articles shown
 * per query, 0.3 one more (kb-holdout) for twice the wrong articles; on kb-unseen 0.1 changed no result
 * but added wrong articles (docs/kb.md). Kept as an option (`RankOptions.feedback`) for measurement.
 */
export const FEEDBACK = { weight: 0, docs: 3 };

/** Adds feedback similarity to the pool's BM25F (bounded: ≤ docs × DISTINCTIVE_TERMS terms, one binary search per term and candidate). */
function feedback(ix: KbIndex, out: SearchOutcome, pool: Candidate[], weight: number): void {
  const used = new Set<number>();
  for (const u of out.units) for (const e of u.expansions) used.add(e.term);
  const fb = [...pool].sort((a, b) => b.bm25 - a.bm25).slice(0, FEEDBACK.docs);
  const best = fb[0]!.bm25 || 1;
  const terms = new Map<number, number>();
  for (const c of fb) {
    for (let k = 0; k < DISTINCTIVE_TERMS; k++) {
      const t = ix.distinctive[c.doc * DISTINCTIVE_TERMS + k]!;
      if (t < 0 || used.has(t)) continue;
      terms.set(t, (terms.get(t) ?? 0) + c.bm25 / best);
    }
  }
  const add = new Map<number, number>();
  for (const c of pool) {
    let v = 0;
    for (const [t, w] of terms) {
      let lo = ix.start[t]!, hi = ix.start[t + 1]! - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const d = ix.docs[mid]!;
        if (d === c.doc) { v += w * ix.idf[t]! * ix.norm[mid]!; break; }
        if (d < c.doc) lo = mid + 1; else hi = mid - 1;
      }
    }
    add.set(c.doc, v);
  }
  const maxAdd = Math.max(...add.values()) || 1;
  for (const c of pool) c.bm25 += weight * best * (add.get(c.doc)! / maxAdd);
}
