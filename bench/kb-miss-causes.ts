/**
 * Why fitting queries of some kinds miss (fitting sets only; kb-unseen is never read): for each miss, where
 * the expected article stands — (a) first (or in the shown three's reach) but under the calibrated cut-off,
 * (b) not a candidate at all / outside the pool (no word links), (c) outranked by other articles — with its
 * score, coverage and headCover, and the query words it does not match.
 *   npx tsx bench/kb-miss-causes.ts --dev /work/shared/kb-dev [--kinds paraphrase,crosslang] [--sets fit4,fit5]
 */
import { readQueries } from '../kb/eval.js';
import { loadKbDir } from '../kb/loader.js';
import { rank, slotCut } from '../kb/rank.js';
import { DEFAULT_CALIBRATION } from '../kb/calibration.js';
import { buildIndex } from '../kb/search-index.js';
import { evaluate } from '../kb/search.js';
import { applyModeArgs } from './kb-mode-args.js';
import { fittingSetTuples } from './kb-sets.js';
applyModeArgs(process.argv);

const arg = (n: string, d: string): string => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1]! : d);
const dev = arg('--dev', '../shared/kb-dev');
const kinds = new Set(arg('--kinds', 'paraphrase,crosslang').split(','));
const only = process.argv.includes('--sets') ? arg('--sets', '').split(',') : undefined;
const sets = fittingSetTuples(dev, only);
const tally = new Map<string, number>();
for (const [name, a, q] of sets) {
  const ix = buildIndex((await loadKbDir(a!)).articles);
  console.log(`=== ${name}`);
  for (const qq of await readQueries(q!)) {
    if (!kinds.has(qq.kind ?? '') || !qq.expected.length) continue;
    const ranked = rank(ix, qq.q, { limit: 10, keepBelowThreshold: true });
    const shown = slotCut(ranked.slice(0, 3), DEFAULT_CALIBRATION).map((r) => ix.articles[r.doc]!.id);
    if (shown.some((id) => qq.expected.includes(id))) continue;
    const out = evaluate(ix, qq.q);
    const pos = ranked.findIndex((r) => qq.expected.includes(ix.articles[r.doc]!.id));
    const isCand = out.candidates.some((c) => qq.expected.includes(ix.articles[c.doc]!.id));
    let cause: string;
    if (pos < 0) cause = isCand ? 'c-outranked(pool)' : 'b-no-link';
    else if (pos === 0) cause = 'a-under-cut';
    else if (ranked[0]!.score >= DEFAULT_CALIBRATION.threshold) cause = 'c-outranked(shown)';
    else cause = 'c-outranked(both-under)';
    tally.set(`${name} ${qq.kind} ${cause}`, (tally.get(`${name} ${qq.kind} ${cause}`) ?? 0) + 1);
    tally.set(`all ${qq.kind} ${cause}`, (tally.get(`all ${qq.kind} ${cause}`) ?? 0) + 1);
    const e = pos >= 0 ? ranked[pos]! : undefined;
    const top = ranked[0];
    const unknown = out.units.filter((u) => !u.known).map((u) => u.surface);
    console.log(`${cause.padEnd(24)} [${qq.kind}] ${qq.q}`);
    console.log(`   expected ${qq.expected.join(',')} pos ${pos} score ${e ? e.score.toFixed(2) : '-'} cov ${e ? e.features.coverage.toFixed(2) : '-'} head ${e ? e.features.headCover.toFixed(2) : '-'} pass ${e ? e.features.passage.toFixed(2) : '-'} | top ${top ? ix.articles[top.doc]!.id + ' ' + top.score.toFixed(2) + ' cov ' + top.features.coverage.toFixed(2) : '-'} | unknown: ${unknown.join(' ') || '-'}`);
  }
}
console.log('--- tally');
for (const [k, v] of [...tally].sort()) console.log(`${k}: ${v}`);
