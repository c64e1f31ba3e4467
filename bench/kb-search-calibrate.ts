/**
 * Fits the calibrated score (kb/calibration.ts) on a labelled query set: an L2-regularised logistic
 * regression over the five ratio features of each query's top candidates (label: is the article an
 * expected answer), then reports quality at a range of thresholds. Prints the constants to paste.
 *
 *   npx tsx bench/kb-search-calibrate.ts [--kb ../shared/kb-dev/articles] [--queries ../shared/kb-dev/queries.jsonl]
 */
import { FEATURE_NAMES, type Calibration, type ScoreFeatures } from '../kb/calibration.js';
import { readQueries } from '../kb/eval.js';
import { loadKbDir } from '../kb/loader.js';
import { rank } from '../kb/rank.js';
import { buildIndex } from '../kb/search-index.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const kbDir = arg('--kb', '../shared/kb-dev/articles');
const queries = await readQueries(arg('--queries', '../shared/kb-dev/queries.jsonl'));
const { articles } = await loadKbDir(kbDir);
const ix = buildIndex(articles);

const examples: Array<{ x: number[]; y: number; qi: number; pos: number }> = [];
queries.forEach((q, qi) => {
  const ranked = rank(ix, q.q, { limit: 3, keepBelowThreshold: true });
  ranked.forEach((r, pos) => {
    examples.push({ x: FEATURE_NAMES.map((k) => r.features[k]), y: q.expected.includes(ix.articles[r.doc]!.id) ? 1 : 0, qi, pos });
  });
});

// Gradient descent on the mean log-loss + lambda * |w|^2; the top result of a query counts double.
const lambda = 0.002;
const w = new Array<number>(FEATURE_NAMES.length).fill(0);
let bias = 0;
const sig = (z: number): number => 1 / (1 + Math.exp(-z));
for (let it = 0; it < 20000; it++) {
  const g = new Array<number>(w.length).fill(0);
  let gb = 0;
  let tot = 0;
  for (const e of examples) {
    const wt = e.pos === 0 ? 2 : 1;
    const p = sig(bias + e.x.reduce((s, v, i) => s + v * w[i]!, 0));
    const d = (p - e.y) * wt;
    e.x.forEach((v, i) => (g[i]! += d * v));
    gb += d;
    tot += wt;
  }
  for (let i = 0; i < w.length; i++) w[i]! -= 0.5 * (g[i]! / tot + 2 * lambda * w[i]!);
  bias -= 0.5 * (gb / tot);
}
const weights = Object.fromEntries(FEATURE_NAMES.map((k, i) => [k, Math.round(w[i]! * 100) / 100])) as Record<keyof ScoreFeatures, number>;
const cal: Calibration = { weights, bias: Math.round(bias * 100) / 100, threshold: 0.5 };

console.log('threshold  recall@3  MRR    neg-rejected  empty-on-answerable');
for (const t of [0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7]) {
  let r3 = 0, mrr = 0, ans = 0, neg = 0, rej = 0, empty = 0;
  for (const q of queries) {
    const ids = rank(ix, q.q, { limit: 3, calibration: { ...cal, threshold: t } }).map((r) => ix.articles[r.doc]!.id);
    if (!q.expected.length) { neg++; if (!ids.length) rej++; continue; }
    ans++;
    const k = ids.findIndex((id) => q.expected.includes(id));
    if (k >= 0) { r3++; mrr += 1 / (k + 1); }
    if (!ids.length) empty++;
  }
  console.log(`${t.toFixed(2).padStart(9)}  ${(r3 / ans).toFixed(3).padStart(8)}  ${(mrr / ans).toFixed(3)}  ${(rej / neg).toFixed(3).padStart(12)}  ${(empty / ans).toFixed(3).padStart(19)}`);
}
console.log('\nexport const DEFAULT_CALIBRATION: Calibration =', JSON.stringify(cal, null, 2));
