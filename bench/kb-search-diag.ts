/**
 * Diagnostics over labelled query sets: misses (expected article not in the top 3) and answered
 * negatives, with the top candidates' calibrated scores and features, for the fitting sets.
 *
 *   npx tsx bench/kb-search-diag.ts [--set dev|holdout|fit3|fit4|fit5|fit6|all] [--all] [--dev ../shared/kb-dev]
 *
 * Only the sets the search is fitted on: bench/kb-unseen is never diagnosed query by query.
 */
import { readQueries } from '../kb/eval.js';
import { loadKbDir } from '../kb/loader.js';
import { rank, slotCut } from '../kb/rank.js';
import { buildIndex } from '../kb/search-index.js';
import { queryUnits } from '../kb/search.js';
import { DEFAULT_CALIBRATION } from '../kb/calibration.js';
import { applyModeArgs } from './kb-mode-args.js';
import { fittingSetTuples } from './kb-sets.js';
applyModeArgs(process.argv);

const devDir = process.argv.includes('--dev') ? process.argv[process.argv.indexOf('--dev') + 1]! : '../shared/kb-dev';
const argSet = process.argv.includes('--set') ? process.argv[process.argv.indexOf('--set') + 1] : 'all';
for (const [name, kb, queries] of fittingSetTuples(devDir, argSet === 'all' || argSet === 'both' ? undefined : [argSet!])) {
  const s = { kb, queries };
  const { articles } = await loadKbDir(s.kb);
  const ix = buildIndex(articles);
  const qs = await readQueries(s.queries);
  console.log(`=== ${name}`);
  for (const q of qs) {
    const ranked = rank(ix, q.q, { limit: 3, keepBelowThreshold: true });
    const shown = slotCut(ranked, DEFAULT_CALIBRATION).map((r) => ix.articles[r.doc]!.id);
    const ok = q.expected.length ? shown.some((id) => q.expected.includes(id)) : shown.length === 0;
    if (ok && !process.argv.includes('--all')) continue;
    const units = queryUnits(ix, q.q).map((u) => (u.known ? u.surface : `?${u.surface}`)).join(' ');
    console.log(`${ok ? 'ok  ' : 'MISS'} [${q.kind}] ${q.q}\n     expected ${q.expected.join(',') || '-'} | units: ${units}`);
    for (const r of ranked) {
      const f = r.features;
      const id = ix.articles[r.doc]!.id;
      console.log(`     ${q.expected.includes(id) ? '*' : ' '} ${r.score.toFixed(2)} ${id} cov=${f.coverage.toFixed(2)} str=${f.strength.toFixed(2)} m=${f.matched} mass=${f.mass.toFixed(2)} short=${f.short} gap=${f.gap.toFixed(2)} rel=${f.rel.toFixed(2)}`);
    }
  }
}
