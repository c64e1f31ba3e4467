/** From raw candidates to ranked, scored suggestions: features, calibration, language preference. */
import { calibratedScore, DEFAULT_CALIBRATION, type Calibration, type ScoreFeatures } from './calibration.js';
import type { KbIndex } from './search-index.js';
import { evaluate, type Candidate, type SearchOutcome } from './search.js';

export interface RankOptions {
  /** @defaultValue 3 */
  limit?: number;
  /** Preferred article language (the requester's); a small tie-breaking bonus, never a filter. */
  lang?: string;
  calibration?: Calibration;
  /** Multiplicative ranking boost per article id (feedback), each within [-0.15, 0.15]. */
  boosts?: ReadonlyMap<string, number>;
  /** Return candidates under the threshold too (for calibration and diagnostics). */
  keepBelowThreshold?: boolean;
}

export interface Ranked {
  doc: number;
  score: number;
  features: ScoreFeatures;
  bm25: number;
}

/** Same-language articles get this much more weight when the caller says which language it prefers. */
const LANG_BONUS = 0.05;

export function featuresOf(ix: KbIndex, out: SearchOutcome, c: Candidate): ScoreFeatures {
  const total = out.totalImportance || 1;
  return {
    coverage: c.coverage,
    strength: Math.min(1, c.bm25 / total),
    matched: Math.min(c.matched, 4) / 4,
    mass: Math.min((c.coverage * out.totalImportance) / ix.idfRare, 3) / 3,
    short: out.units.length <= 2 ? 1 : 0,
  };
}

/** Ranks a query's candidates; with `keepBelowThreshold` unset, only suggestions worth showing. */
export function rank(ix: KbIndex, query: string, opts: RankOptions = {}): Ranked[] {
  const limit = opts.limit ?? 3;
  const cal = opts.calibration ?? DEFAULT_CALIBRATION;
  const out = evaluate(ix, query);
  if (!out.candidates.length) return [];
  const key = (c: Candidate): number => {
    const a = ix.articles[c.doc]!;
    let k = c.bm25;
    if (opts.lang && a.lang === opts.lang) k *= 1 + LANG_BONUS;
    const b = opts.boosts?.get(a.id);
    if (b) k *= 1 + b;
    return k;
  };
  // Partial selection: only the best few need features and calibration.
  const pool = Math.max(limit * 3, 10);
  const keyed = out.candidates.map((c) => ({ c, k: key(c) }));
  const top = selectTop(keyed, pool);
  const ranked: Ranked[] = top.map(({ c }) => {
    const features = featuresOf(ix, out, c);
    let score = calibratedScore(features, cal);
    const b = opts.boosts?.get(ix.articles[c.doc]!.id);
    if (b) score = Math.min(1, Math.max(0, score * (1 + b)));
    return { doc: c.doc, score, features, bm25: c.bm25 };
  });
  const kept = opts.keepBelowThreshold ? ranked : ranked.filter((r) => r.score >= cal.threshold);
  return kept.slice(0, limit);
}

function selectTop<T extends { k: number }>(items: T[], n: number): T[] {
  if (items.length <= n * 4) return items.sort((a, b) => b.k - a.k).slice(0, n);
  // Threshold by a sampled cut, then sort the survivors: linear in the candidate count.
  const sample = items.filter((_, i) => i % Math.ceil(items.length / 200) === 0).map((x) => x.k).sort((a, b) => b - a);
  const cut = sample[Math.min(sample.length - 1, Math.ceil((n * 200) / items.length) + 2)] ?? 0;
  let kept = items.filter((x) => x.k >= cut);
  if (kept.length < n) kept = items;
  return kept.sort((a, b) => b.k - a.k).slice(0, n);
}
