/**
 * The calibrated score: a logistic model over query-relative features, fitted on the development set
 * by `bench/kb-search-calibrate.ts` (regularised, five features, no per-query or per-article terms).
 * Its output reads as "probability that this article answers the query"; results under
 * `threshold` are not suggested, which is how a query with no good answer gets no suggestion.
 * The features are ratios, so they keep their meaning as the knowledge base grows.
 */

export interface ScoreFeatures {
  /** Share of the query's weight (idf) that the article matches. */
  coverage: number;
  /** BM25F score over the best score this query could reach. */
  strength: number;
  /** Query words matched (capped at 4), over 4. */
  matched: number;
  /** Weight matched, in units of a word seen in one article (capped at 3), over 3. */
  mass: number;
  /** 1 for one- or two-word queries: they carry less evidence but are usually deliberate. */
  short: number;
}

export const FEATURE_NAMES: Array<keyof ScoreFeatures> = ['coverage', 'strength', 'matched', 'mass', 'short'];

export interface Calibration {
  weights: Record<keyof ScoreFeatures, number>;
  bias: number;
  /** Minimum calibrated score for a suggestion. */
  threshold: number;
}

/** Fitted on ../shared/kb-dev; refit with `npx tsx bench/kb-search-calibrate.ts`. */
export const DEFAULT_CALIBRATION: Calibration = {
  weights: { coverage: 2.81, strength: 3.94, matched: 1.37, mass: 2.93, short: 0.43 },
  bias: -6.9,
  // Below the fitted 0.5: on the dev set 0.40–0.45 keep every negative out while losing fewer answers;
  // article-disjoint cross-validation at 0.4 gave recall@3 0.93–0.98 and negative rejection 0.91–1.
  threshold: 0.4,
};

export function calibratedScore(f: ScoreFeatures, c: Calibration = DEFAULT_CALIBRATION): number {
  let z = c.bias;
  for (const k of FEATURE_NAMES) z += c.weights[k] * f[k];
  return 1 / (1 + Math.exp(-z));
}
