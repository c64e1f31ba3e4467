/** From raw candidates to ranked, scored suggestions: features, calibration, language preference. */
import { calibratedScore, DEFAULT_CALIBRATION, type Calibration, type ScoreFeatures } from './calibration.js';
import type { KbIndex } from './search-index.js';
import { evaluate, type Candidate, type SearchOutcome } from './search.js';

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

export function featuresOf(ix: KbIndex, out: SearchOutcome, c: Candidate, best: number, second: number): ScoreFeatures {
  const total = out.totalImportance || 1;
  return {
    gap: best > 0 ? 1 - second / best : 0,
    rel: best > 0 ? Math.min(1, c.bm25 / best) : 0,
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
  // The question's own language when its words tell, else the person's (`es-ES` → `es`).
  const want = out.lang ?? (opts.lang ? opts.lang.toLowerCase().split(/[-_]/)[0] : undefined);
  const key = (c: Candidate): number => {
    const a = ix.articles[c.doc]!;
    let k = c.bm25;
    if (want && a.lang === want) k *= 1 + LANG_BONUS;
    const b = opts.boosts?.get(a.id);
    if (b) k *= 1 + b;
    return k;
  };
  // Partial selection: only the best few need features and calibration.
  const pool = Math.max(limit * 3, 10);
  const keyed = out.candidates.map((c) => ({ c, k: key(c) }));
  const top = selectTop(keyed, pool);
  const bms = top.map(({ c }) => c.bm25).sort((a, b) => b - a);
  const [best = 0, second = 0] = bms;
  const ranked: Ranked[] = top.map(({ c }) => {
    const features = featuresOf(ix, out, c, best, second);
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

function selectTop<T extends { k: number }>(items: T[], n: number): T[] {
  if (items.length <= n * 4) return items.sort((a, b) => b.k - a.k).slice(0, n);
  // Threshold by a sampled cut, then sort the survivors: linear in the candidate count.
  const sample = items.filter((_, i) => i % Math.ceil(items.length / 200) === 0).map((x) => x.k).sort((a, b) => b - a);
  const cut = sample[Math.min(sample.length - 1, Math.ceil((n * 200) / items.length) + 2)] ?? 0;
  let kept = items.filter((x) => x.k >= cut);
  if (kept.length < n) kept = items;
  return kept.sort((a, b) => b.k - a.k).slice(0, n);
}
