/**
 * Quality on every labelled set side by side, ours and plain fuse.js from the same run:
 * kb-dev (tuned on), bench/kb-holdout, bench/kb-fit3, bench/kb-fit4, bench/kb-fit5 and bench/kb-fit6 (fitted on too) and bench/kb-unseen, bench/kb-unseen2 and bench/kb-unseen3 (never tuned on).
 * `--phrase` ranks with PHRASE_CALIBRATION (the phrase feature, off by default) instead of the default;
 * (`--round4` / `--round6`, round 4's and round 6's calibrations, were removed in the ninth session: check out
 * 48a8315 to reproduce those figures.)
 * `--fit-only` skips the never-tuned sets (for choices; kb-unseen is run only for totals at the end of a change).
 *
 *   npx tsx bench/kb-quality.ts [--dev ../shared/kb-dev] [--markdown] [--ours-only]
 *
 * One line per set and system: recall@1, recall@3, MRR, negatives answered with nothing, then recall@3
 * per kind of query (negative: share rejected), and `wrong/q`: articles shown that the query does not
 * expect, per query (how much the list is filled with weak matches).
 */
import { PHRASE_CALIBRATION } from '../kb/calibration.js';
import { readQueries, runEval, type EvalFigures } from '../kb/eval.js';
import { SearchKnowledgeBase } from '../kb/knowledge-base.js';
import { loadKbDir } from '../kb/loader.js';
import { buildIndex } from '../kb/search-index.js';
import { buildBaseline } from './kb-search-baseline.js';
import { applyModeArgs } from './kb-mode-args.js';
import { devDir, kbSets } from './kb-sets.js';
applyModeArgs(process.argv);

const sets = kbSets(devDir());
const KINDS = ['exact', 'short', 'typo', 'es-noaccent', 'chat', 'paraphrase', 'crosslang', 'negative'];
const f = (x: number | undefined): string => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(2));
const f3 = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(3));

console.log(`| set | search | recall@1 | recall@3 | MRR | negatives | wrong/q | ${KINDS.join(' | ')} |`);
console.log(`|---|---|---:|---:|---:|---:|---:|${KINDS.map(() => '---:').join('|')}|`);
for (const s of sets) {
  if (!s.fitting && process.argv.includes('--fit-only')) continue;
  const { articles } = await loadKbDir(s.articles);
  const queries = await readQueries(s.queries);
  const ours = new SearchKnowledgeBase(buildIndex(articles), process.argv.includes('--phrase') ? { calibration: PHRASE_CALIBRATION } : {});
  const base = process.argv.includes('--ours-only') ? undefined : buildBaseline(articles);
  const expected = new Map(queries.map((q) => [q.q, q.expected]));
  const wrong = { n: 0 };
  const counting = (search: (q: string) => string[]) => (q: string): string[] => {
    const ids = search(q);
    const exp = expected.get(q) ?? [];
    wrong.n += ids.filter((id) => !exp.includes(id)).length;
    return ids;
  };
  const rows: Array<[string, EvalFigures[], number]> = [];
  for (const [who, search] of [
    ['ours', (q: string) => ours.search(q, { limit: 3 }).map((r) => r.id)],
    ['fuse.js', (q: string) => base!.search(q, 3)],
  ] as const) {
    if (who === 'fuse.js' && process.argv.includes('--ours-only')) continue;
    wrong.n = 0;
    const figs = runEval(queries, counting(search));
    rows.push([who, figs, wrong.n / queries.length]);
  }
  for (const [who, figs, wrongPerQuery] of rows) {
    const all = figs.find((r) => r.kind === 'all')!;
    const byKind = KINDS.map((k) => {
      const r = figs.find((x) => x.kind === k);
      return k === 'negative' ? f(r?.negativeRejection) : f(r?.recallAt3);
    });
    console.log(`| ${s.name} | ${who} | ${f3(all.recallAt1)} | ${f3(all.recallAt3)} | ${f3(all.mrr)} | ${f3(all.negativeRejection)} | ${f(wrongPerQuery)} | ${byKind.join(' | ')} |`);
  }
}
