/**
 * How the seventh session's role features (kb/search.ts `roleFeatures`) and the older ones are spread over
 * the top candidate of the fitting sets' queries: negatives (any top article is wrong) against answerable
 * queries whose top article is right, and against those whose top article is wrong. Fitting sets only.
 *   npx tsx bench/kb-role-stats.ts --dev /work/shared/kb-dev [--answered-only]
 * `--answered-only`: only queries the shipped calibration answers (the negatives it still lets through,
 * and the positives it must keep); with `--fifth`, the ones the fifth session's calibration (the default before
 * h-neg, which gives the role features no weight) answers — the table in docs/kb.md.
 */
import { calibratedScore, DEFAULT_CALIBRATION, FEATURE_NAMES, FIFTH_CALIBRATION, type ScoreFeatures } from '../kb/calibration.js';
import { readQueries } from '../kb/eval.js';
import { loadKbDir } from '../kb/loader.js';
import { rank } from '../kb/rank.js';
import { buildIndex } from '../kb/search-index.js';
import { devDir, kbSets } from './kb-sets.js';
import { applyModeArgs } from './kb-mode-args.js';
applyModeArgs(process.argv);

const answeredOnly = process.argv.includes('--answered-only');
const groups = new Map<string, ScoreFeatures[]>([['negative', []], ['right', []], ['wrong', []]]);
for (const s of kbSets(devDir()).filter((x) => x.fitting)) {
  const ix = buildIndex((await loadKbDir(s.articles)).articles);
  for (const q of await readQueries(s.queries)) {
    const top = rank(ix, q.q, { limit: 3, keepBelowThreshold: true })[0];
    if (!top) continue;
    const cal = process.argv.includes('--fifth') ? FIFTH_CALIBRATION : DEFAULT_CALIBRATION;
    if (answeredOnly && calibratedScore(top.features, cal) < cal.threshold) continue;
    const id = ix.articles[top.doc]!.id;
    groups.get(!q.expected.length ? 'negative' : q.expected.includes(id) ? 'right' : 'wrong')!.push(top.features);
  }
}
console.log(`top candidate's features, mean (share > 0)${answeredOnly ? ', answered queries only' : ''}`);
console.log(`  ${'feature'.padEnd(16)}${[...groups].map(([g, xs]) => `${g} (${xs.length})`.padStart(22)).join('')}`);
for (const k of FEATURE_NAMES) {
  const cells = [...groups.values()].map((xs) => {
    const mean = xs.reduce((a, f) => a + f[k], 0) / (xs.length || 1);
    const pos = xs.filter((f) => f[k] > 0).length / (xs.length || 1);
    return `${mean.toFixed(3)} (${pos.toFixed(2)})`.padStart(22);
  });
  console.log(`  ${k.padEnd(16)}${cells.join('')}`);
}
