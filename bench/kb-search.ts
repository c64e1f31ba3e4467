/**
 * Knowledge-base search benchmark, ours side by side with the baseline (plain fuse.js over title,
 * tags and body, default options) in the same run:
 *  1. quality on the development set (recall@1/@3, MRR, negative rejection, per query kind);
 *  2. index build time and per-query latency at 1k, 10k and 50k articles synthesised from the real ones.
 *
 *   npx tsx bench/kb-search.ts [--kb ../shared/kb-dev] [--sizes 1000,10000,50000] [--baseline-budget-ms 15000]
 *
 * The baseline is slow on large corpora, so at each size it runs queries until its time budget is
 * spent (at least 5), and the table says how many it ran. `MODE` switches and kept calibrations take the
 * flags of bench/kb-mode-args.ts (`--no-typo-loose`: the search without the loose typo tier).
 */
import { join } from 'node:path';
import { formatFigures, percentile, readQueries, runEval, type EvalFigures } from '../kb/eval.js';
import { SearchKnowledgeBase } from '../kb/knowledge-base.js';
import { loadKbDir } from '../kb/loader.js';
import { buildIndex } from '../kb/search-index.js';
import { buildBaseline } from './kb-search-baseline.js';
import { rng, synthesize } from './kb-search-synth.js';
import { applyModeArgs } from './kb-mode-args.js';
applyModeArgs(process.argv);

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const devDir = arg('--kb', '../shared/kb-dev');
const sizes = arg('--sizes', '1000,10000,50000').split(',').map(Number);
const budgetMs = Number(arg('--baseline-budget-ms', '15000'));

const { articles, issues } = await loadKbDir(join(devDir, 'articles'));
if (issues.length) console.error(issues);
const queries = await readQueries(join(devDir, 'queries.jsonl'));
const fx = (x: number, d = 3): string => (Number.isNaN(x) ? '-' : x.toFixed(d));

// 1. Quality on the development set.
const ours = new SearchKnowledgeBase(buildIndex(articles));
const base = buildBaseline(articles);
for (const q of queries.slice(0, 20)) { ours.search(q.q); base.search(q.q); }
const qOurs = runEval(queries, (q) => ours.search(q, { limit: 3 }).map((s) => s.id));
const qBase = runEval(queries, (q) => base.search(q, 3));
console.log(`## Quality on ${devDir} (${articles.length} articles, ${queries.length} queries)\n`);
console.log('ours:');
console.log(formatFigures(qOurs));
console.log('\nbaseline (fuse.js defaults over title, tags, body):');
console.log(formatFigures(qBase));
const pick = (rows: EvalFigures[], k: string): EvalFigures => rows.find((r) => r.kind === k)!;
const [o, b] = [pick(qOurs, 'all'), pick(qBase, 'all')];
console.log(`\nsummary: recall@3 ${fx(o.recallAt3)} vs ${fx(b.recallAt3)}, MRR ${fx(o.mrr)} vs ${fx(b.mrr)}, negatives rejected ${fx(o.negativeRejection)} vs ${fx(b.negativeRejection)}`);

// 2. Scale.
function timeQueries(search: (q: string) => unknown, qs: string[], budget: number, min: number): { ms: number[] } {
  const ms: number[] = [];
  const t0 = performance.now();
  for (const q of qs) {
    const t = performance.now();
    search(q);
    ms.push(performance.now() - t);
    if (ms.length >= min && performance.now() - t0 > budget) break;
  }
  return { ms: ms.sort((a, b) => a - b) };
}

console.log('\n## Scale (synthesised articles; latency over the dev queries)\n');
console.log('| articles | ours build | ours p50 | ours p99 | ours heap | baseline build | baseline p50 | baseline p99 | baseline queries | p50 ratio |');
console.log('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
const shuffled = [...queries.map((q) => q.q)];
const r = rng(7);
for (let i = shuffled.length - 1; i > 0; i--) {
  const j = Math.floor(r() * (i + 1));
  [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
}
for (const n of sizes) {
  const corpus = synthesize(articles, n);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const ix = buildIndex(corpus);
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
  const kb = new SearchKnowledgeBase(ix);
  for (const q of shuffled.slice(0, 30)) kb.search(q);
  const reps = n <= 10_000 ? 3 : 1;
  const mine = timeQueries((q) => kb.search(q), Array.from({ length: reps }, () => shuffled).flat(), Infinity, 0);
  const bl = buildBaseline(corpus);
  bl.search(shuffled[0]!);
  const theirs = timeQueries((q) => bl.search(q), shuffled, budgetMs, 5);
  const p = (xs: number[], q: number): string => percentile(xs, q).toFixed(2);
  console.log(
    `| ${n} | ${ix.buildMs.toFixed(0)} ms | ${p(mine.ms, 0.5)} ms | ${p(mine.ms, 0.99)} ms | ${heapMb.toFixed(0)} MB | ${bl.buildMs.toFixed(0)} ms | ${p(theirs.ms, 0.5)} ms | ${p(theirs.ms, 0.99)} ms | ${theirs.ms.length} | ${(percentile(theirs.ms, 0.5) / percentile(mine.ms, 0.5)).toFixed(0)}× |`,
  );
}
