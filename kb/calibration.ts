/**
 * The calibrated score: a logistic model over query-relative features, fitted on the labelled fitting
 * sets by `bench/kb-search-calibrate.ts` (regularised, no per-query or per-article terms).
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
  /** How far the query's best article stands out: 1 − second-best BM25F / best (same for every candidate). */
  gap: number;
  /** This article's BM25F over the query's best. */
  rel: number;
  /** Share of the query's neighbouring word pairs that stand next to each other in the article too (phrase.ts). */
  phrase: number;
  /** 1 when the query has a leading word (search.ts `leadWord`: `rename` in `rename a shared drive`) and the article does not match it. */
  leadMissed: number;
  /** Share of the query's importance the article matches within one passage (search.ts `passageCoverage`). */
  passage: number;
  /**
   * Seventh session (h-neg), the roles of the query's words (search.ts `roleFeatures`, `MODE.roleFeatures`):
   * 1 when the article has the query's leading word only in its body, not its title, tags or summary.
   */
  leadBody: number;
  /** 1 when the article has the leading word only in body sentences that hold no other query word matched only in the body. */
  leadApart: number;
  /** 1 when the query's leading word is a real (dictionary) word the knowledge base does not have (same for every article). */
  leadUnknown: number;
  /** Share of the article's title words the query has (stem or concept). */
  headCover: number;
  /** Share of the query's importance in words this article misses that some other article is about (topical). */
  missedElsewhere: number;
  /** Eighth session (h-chat): the article's best coverage of one clause of the query (search.ts `clauseCoverage`). */
  clause: number;
}

export const FEATURE_NAMES: Array<keyof ScoreFeatures> = ['coverage', 'strength', 'matched', 'mass', 'short', 'gap', 'rel', 'phrase', 'leadMissed', 'passage', 'leadBody', 'leadApart', 'leadUnknown', 'headCover', 'missedElsewhere', 'clause'];

/** The seventh session's role features, at weight 0 in the calibrations fitted before them. */
const NO_ROLES = { leadBody: 0, leadApart: 0, leadUnknown: 0, headCover: 0, missedElsewhere: 0, clause: 0 };

export interface Calibration {
  weights: Record<keyof ScoreFeatures, number>;
  bias: number;
  /** Minimum calibrated score for a suggestion. */
  threshold: number;
  /**
   * Per-slot cut-off: the second and third suggestions need `threshold + slotStep × slot` and at
   * least `slotRatio` of the first one's score, so room left on the list is not filled with weak matches.
   */
  slotStep?: number;
  slotRatio?: number;
}

/**
 * Tenth session (the lead): refitted on the six fitting sets (kb-fit6 added) after glossary.yaml gained the workplace
 * beyond IT (leave, shifts, pay, health and safety, facilities, payments, buildings), the phrase feature left out
 * (`npx tsx bench/kb-search-calibrate.ts --set … ×6 --loo-only --drop phrase`); threshold 0.38 as before. Left out in
 * turn at 0.38, the six sets answer 953 of 1,056 (was 943) and reject 168 of 229 negatives (was 165)
 * (docs/kb-history.md, tenth session, the lead).
 */
export const DEFAULT_CALIBRATION: Calibration = {
  weights: { coverage: 0.82, strength: 1.47, matched: 0.52, mass: 1.51, short: 0.21, gap: 1.54, rel: 3.15, phrase: 0, leadMissed: -1.02, passage: 1.11, leadBody: -0.7, leadApart: -0.37, leadUnknown: -0.5, headCover: 1.53, missedElsewhere: -0.64, clause: 1.28 },
  bias: -8.43,
  threshold: 0.38,
  slotStep: 0.05,
  slotRatio: 0.85,
};

/**
 * Eighth session (the lead), the default until the tenth session (`--eighth-calibration` in the benches; the
 * glossary before it is `git show bd758a1:kb/data/glossary.yaml`): refitted on the five fitting sets with
 * `MODE.leadSingleClause` (a message of two or more clauses has no leading word), the clause feature on and the phrase feature left out
 * (`npx tsx bench/kb-search-calibrate.ts --set … ×5 --loo-only --drop phrase`); threshold 0.38 as before
 * (docs/kb-history.md, eighth session, the lead). Kept through the ninth session's changes, which moved no weight
 * of a refit by more than 0.08: a hyphen between two words no longer cuts a clause (`MODE.clauseHyphenJoins`), the
 * loose typo tier is on with its context check, and a refit on six sets (kb-fit6 added) only traded a few answers
 * for a few negatives within noise (docs/kb-history.md, ninth session).
 */
export const EIGHTH_CALIBRATION: Calibration = {
  weights: { coverage: 0.86, strength: 1.49, matched: 0.55, mass: 1.62, short: 0.23, gap: 1.63, rel: 3.22, phrase: 0, leadMissed: -0.93, passage: 1.09, leadBody: -0.59, leadApart: -0.4, leadUnknown: -0.43, headCover: 1.55, missedElsewhere: -0.66, clause: 1.19 },
  bias: -8.54,
  threshold: 0.38,
  slotStep: 0.05,
  slotRatio: 0.85,
};

/**
 * Eighth session (h-chat), the default until `MODE.leadSingleClause` (`--no-lead-single-clause` in the benches):
 * refitted on the five fitting sets with the `clause` feature (search.ts `clauseCoverage`, `MODE.clauseFeature`),
 * the phrase feature left out (`npx tsx bench/kb-search-calibrate.ts --set … ×5 --loo-only --drop phrase`);
 * threshold chosen on the fitting sets (docs/kb-history.md, eighth session, h-chat).
 */
export const CLAUSE_CALIBRATION: Calibration = {
  weights: { coverage: 0.83, strength: 1.45, matched: 0.6, mass: 1.65, short: 0.23, gap: 1.64, rel: 3.22, phrase: 0, leadMissed: -0.71, passage: 1.04, leadBody: -0.59, leadApart: -0.38, leadUnknown: -0.32, headCover: 1.52, missedElsewhere: -0.65, clause: 1.28 },
  bias: -8.58,
  threshold: 0.38,
  slotStep: 0.05,
  slotRatio: 0.85,
};

/**
 * Seventh session (h-neg), the default until the eighth session (`--no-clause` in the benches): refitted on the five fitting sets (kb-dev, bench/kb-holdout, bench/kb-fit3,
 * bench/kb-fit4, bench/kb-fit5) with the role features (search.ts `roleFeatures`), the phrase feature
 * left out (`npx tsx bench/kb-search-calibrate.ts --set … ×5 --loo-only --drop phrase`); threshold and
 * per-slot cut-off chosen on the fitting sets (docs/kb.md, seventh session, h-neg).
 */
export const SEVENTH_CALIBRATION: Calibration = {
  weights: { coverage: 1.1, strength: 1.62, matched: 0.73, mass: 1.8, short: 0.33, gap: 1.66, rel: 3.29, phrase: 0, leadMissed: -0.73, passage: 1.22, leadBody: -0.56, leadApart: -0.36, leadUnknown: -0.35, headCover: 1.51, missedElsewhere: -0.69, clause: 0 },
  bias: -8.25,
  threshold: 0.38,
  slotStep: 0.05,
  slotRatio: 0.85,
};

/**
 * Fifth session (h-kb8), the default until the seventh session (`--no-role-features` in the benches): refitted on the four fitting sets (kb-dev, bench/kb-holdout, bench/kb-fit3,
 * bench/kb-fit4) with the `passage` feature, the phrase feature left out (`npx tsx
 * bench/kb-search-calibrate.ts --set … ×4 --loo-only --drop phrase`). Threshold 0.38: thresholds 0.36–0.38
 * keep every fitting set at or above round 6's recall@3 and rejected negatives (docs/kb.md).
 */
export const FIFTH_CALIBRATION: Calibration = {
  weights: { coverage: 1.08, strength: 2.14, matched: 0.89, mass: 1.97, short: 0.16, gap: 1.81, rel: 3.57, phrase: 0, leadMissed: -0.89, passage: 1.67, ...NO_ROLES },
  bias: -8.98,
  threshold: 0.38,
  // Second slot needs threshold + 0.05 and 85 % of the first's score, third + 0.1 (re-swept in the fourth
  // session over four fitting sets: 0.1 / 70 % before; this keeps every set's recall@3, adds 4 answered
  // queries of 614 and shows fewer wrong articles on three of four, as many on the fourth — docs/kb.md).
  slotStep: 0.05,
  slotRatio: 0.85,
};

/**
 * The same model with the phrase feature (round 5, phrase.ts), refitted on kb-dev + kb-holdout + kb-fit3;
 * threshold 0.4 keeps their pooled recall@3 where DEFAULT_CALIBRATION has it (480 vs 481 of 511) and
 * rejects more negatives (86 vs 81 of 103). **Not the default**: on kb-unseen (reported, never fitted)
 * it did not hold up (docs/kb.md, round 5). Opt in with `new SearchKnowledgeBase(ix, { calibration:
 * PHRASE_CALIBRATION })` or `rank(ix, q, { calibration: PHRASE_CALIBRATION })`.
 */
export const PHRASE_CALIBRATION: Calibration = {
  weights: { coverage: 1.35, strength: 2.26, matched: 0.92, mass: 1.93, short: 0.22, gap: 1.85, rel: 3.82, phrase: 1.53, leadMissed: 0, passage: 0, ...NO_ROLES },
  bias: -8.93,
  threshold: 0.4,
  slotStep: 0.1,
  slotRatio: 0.7,
};

export function calibratedScore(f: ScoreFeatures, c: Calibration = DEFAULT_CALIBRATION): number {
  let z = c.bias;
  for (const k of FEATURE_NAMES) z += (c.weights[k] ?? 0) * f[k];
  return 1 / (1 + Math.exp(-z));
}
