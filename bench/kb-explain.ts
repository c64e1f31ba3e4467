/**
 * Per query word, how the top candidates match it (fitting sets only): the expansion that matched, its
 * weight, and whether it stands in the article's heading (H) or only in the body (b).
 *   npx tsx bench/kb-explain.ts --dev /work/shared/kb-dev [--kinds negative,chat,crosslang] [--sets fit4,fit5] [--all]
 */
import { readQueries } from '../kb/eval.js';
import { loadKbDir } from '../kb/loader.js';
import { rank } from '../kb/rank.js';
import { slotCut } from '../kb/rank.js';
import { DEFAULT_CALIBRATION } from '../kb/calibration.js';
import { buildIndex, HEAD_BIT } from '../kb/search-index.js';
import { evaluate } from '../kb/search.js';
import { applyModeArgs } from './kb-mode-args.js';
import { fittingSetTuples } from './kb-sets.js';
applyModeArgs(process.argv);

const arg = (n: string, d: string): string => (process.argv.includes(n) ? process.argv[process.argv.indexOf(n) + 1]! : d);
const dev = arg('--dev', '../shared/kb-dev');
const kinds = new Set(arg('--kinds', 'negative,chat,crosslang').split(','));
const only = process.argv.includes('--sets') ? arg('--sets', '').split(',') : undefined;
const sets = fittingSetTuples(dev, only);
for (const [name, a, q] of sets) {
  const ix = buildIndex((await loadKbDir(a!)).articles);
  const names: string[] = [];
  for (const [t, id] of ix.termIds) names[id] = t;
  console.log(`=== ${name}`);
  for (const qq of await readQueries(q!)) {
    if (!kinds.has(qq.kind ?? '')) continue;
    const ranked = rank(ix, qq.q, { limit: 3, keepBelowThreshold: true });
    const shown = slotCut(ranked, DEFAULT_CALIBRATION).map((r) => ix.articles[r.doc]!.id);
    const ok = qq.expected.length ? shown.some((id) => qq.expected.includes(id)) : shown.length === 0;
    if (ok && !process.argv.includes('--all')) continue;
    const out = evaluate(ix, qq.q);
    console.log(`${ok ? 'ok  ' : 'MISS'} [${qq.kind}] ${qq.q}   (lang ${out.lang ?? '?'}; expected ${qq.expected.join(',') || '-'})`);
    for (const r of ranked.slice(0, 2)) {
      const art = ix.articles[r.doc]!;
      const parts = out.units.map((u) => {
        let best = 0, bw = 0, bt = -1, head = false;
        for (const e of u.expansions) {
          let lo = ix.start[e.term]!, hi = ix.start[e.term + 1]! - 1;
          while (lo <= hi) {
            const mid = (lo + hi) >> 1, d = ix.docs[mid]!;
            if (d === r.doc) { const v = e.w * ix.idf[e.term]! * ix.norm[mid]!; if (v > best) { best = v; bw = e.w; bt = e.term; head = (ix.where[mid]! & HEAD_BIT) !== 0; } break; }
            if (d < r.doc) lo = mid + 1; else hi = mid - 1;
          }
        }
        const share = (u.importance / out.totalImportance).toFixed(2);
        return bt < 0 ? `${u.known ? '' : '?'}${u.surface}(${share})✗` : `${u.surface}(${share})=${names[bt]}@${bw.toFixed(2)}${head ? 'H' : 'b'}`;
      });
      console.log(`   ${qq.expected.includes(art.id) ? '*' : ' '} ${r.score.toFixed(2)} ${art.id} [${art.lang}] ${parts.join(' ')}`);
    }
  }
}
