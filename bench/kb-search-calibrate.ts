/**
 * Fits the calibrated score (kb/calibration.ts): an L2-regularised logistic regression over the
 * ratio features of each query's top candidates (label: is the article an expected answer), on one
 * or more labelled sets, and reports quality at a range of thresholds. With two sets it also
 * cross-fits (fit on one, measure on the other, both directions) — the honest figure for unseen data.
 * Prints the constants to paste into kb/calibration.ts (fitted on all sets together).
 *
 *   npx tsx bench/kb-search-calibrate.ts                     # kb-dev + bench/kb-holdout + bench/kb-fit3
 *   (with three sets it also leaves each out in turn: fitted on the other two, measured on it; `--loo-only` skips the one-set fits)
 *   (`--drop phrase,leadMissed`: leave features out of the fits; the shipped DEFAULT_CALIBRATION is `--drop phrase`)
 *   npx tsx bench/kb-search-calibrate.ts --set dev:../shared/kb-dev/articles:../shared/kb-dev/queries.jsonl
 */
import { writeFileSync } from 'node:fs';
import { DEFAULT_CALIBRATION, FEATURE_NAMES, type Calibration, type ScoreFeatures } from '../kb/calibration.js';
import { readQueries, type EvalQuery } from '../kb/eval.js';
import { loadKbDir } from '../kb/loader.js';
import { rank } from '../kb/rank.js';
import { buildIndex, type KbIndex } from '../kb/search-index.js';
import { applyModeArgs } from './kb-mode-args.js';
applyModeArgs(process.argv);

interface LabelledSet {
  name: string;
  ix: KbIndex;
  queries: EvalQuery[];
}

const specs = process.argv.flatMap((a, i) => (process.argv[i - 1] === '--set' ? [a] : []));
const defaults = ['dev:../shared/kb-dev/articles:../shared/kb-dev/queries.jsonl', 'holdout:kb/articles:bench/kb-holdout/queries.jsonl', 'fit3:bench/kb-fit3/articles:bench/kb-fit3/queries.jsonl'];
const sets: LabelledSet[] = [];
for (const spec of specs.length ? specs : defaults) {
  const [name, kb, q] = spec.split(':');
  if (!name || !kb || !q) throw new Error(`--set name:articlesDir:queries.jsonl, got ${spec}`);
  sets.push({ name, ix: buildIndex((await loadKbDir(kb)).articles), queries: await readQueries(q) });
}

interface Example { x: number[]; y: number; pos: number }

/** `--drop phrase,leadMissed`: features left out of every fit (their column is zero). */
const dropped = new Set(process.argv.flatMap((a, i) => (process.argv[i - 1] === '--drop' ? a.split(',') : [])));

function examplesOf(s: LabelledSet): Example[] {
  const out: Example[] = [];
  for (const q of s.queries) {
    rank(s.ix, q.q, { limit: 3, keepBelowThreshold: true, withPhrase: !dropped.has('phrase') }).forEach((r, pos) => {
      out.push({ x: FEATURE_NAMES.map((k) => (dropped.has(k) ? 0 : r.features[k])), y: q.expected.includes(s.ix.articles[r.doc]!.id) ? 1 : 0, pos });
    });
  }
  return out;
}

/** Gradient descent on the mean log-loss + lambda * |w|^2; the top result of a query counts double. */
function fit(examples: Example[]): Calibration {
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
  return { weights, bias: Math.round(bias * 100) / 100, threshold: 0.5 };
}

interface Counts { r3: number; mrr: number; ans: number; neg: number; rej: number }

function counts(s: LabelledSet, cal: Calibration): Counts {
  let r3 = 0, mrr = 0, ans = 0, neg = 0, rej = 0;
  for (const q of s.queries) {
    const ids = rank(s.ix, q.q, { limit: 3, calibration: cal }).map((r) => s.ix.articles[r.doc]!.id);
    if (!q.expected.length) { neg++; if (!ids.length) rej++; continue; }
    ans++;
    const k = ids.findIndex((id) => q.expected.includes(id));
    if (k >= 0) { r3++; mrr += 1 / (k + 1); }
  }
  return { r3, mrr, ans, neg, rej };
}

function quality(s: LabelledSet, cal: Calibration): { r3: number; mrr: number; rej: number; wrong: number } {
  let r3 = 0, mrr = 0, ans = 0, neg = 0, rej = 0, wrong = 0;
  for (const q of s.queries) {
    const ids = rank(s.ix, q.q, { limit: 3, calibration: cal }).map((r) => s.ix.articles[r.doc]!.id);
    wrong += ids.filter((id) => !q.expected.includes(id)).length;
    if (!q.expected.length) { neg++; if (!ids.length) rej++; continue; }
    ans++;
    const k = ids.findIndex((id) => q.expected.includes(id));
    if (k >= 0) { r3++; mrr += 1 / (k + 1); }
  }
  return { r3: r3 / ans, mrr: mrr / ans, rej: rej / neg, wrong: wrong / s.queries.length };
}

const THRESHOLDS = [0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6];
function table(title: string, cal: Calibration, on: LabelledSet[]): void {
  console.log(`\n${title}\n  weights ${JSON.stringify(cal.weights)} bias ${cal.bias}`);
  console.log(`  threshold  ${on.map((s) => `${s.name.padEnd(8)} r@3   MRR   neg`.padEnd(30)).join('')}`);
  for (const t of THRESHOLDS) {
    const cells = on.map((s) => {
      const f = quality(s, { ...cal, threshold: t });
      return `${' '.repeat(8)} ${f.r3.toFixed(3)} ${f.mrr.toFixed(3)} ${f.rej.toFixed(3)}`.padEnd(30);
    });
    console.log(`  ${t.toFixed(2).padStart(9)}  ${cells.join('')}`);
  }
}

const perSet = new Map(sets.map((s) => [s.name, examplesOf(s)]));
table('current DEFAULT_CALIBRATION', DEFAULT_CALIBRATION, sets);
if (sets.length > 1 && !process.argv.includes('--loo-only')) {
  for (const s of sets) {
    const cal = fit(perSet.get(s.name)!);
    table(`cross-fit: fitted on ${s.name} only`, cal, sets);
  }
}
// Leave one set out (with three or more sets): fit on the others, measure on the one left out; the
// pooled line sums the left-out sets' counts — the honest estimate for a knowledge base not fitted on.
if (sets.length > 2) {
  const loo = sets.map((s) => ({ s, cal: fit(sets.filter((o) => o !== s).flatMap((o) => perSet.get(o.name)!)) }));
  console.log('\nleave one set out (fitted on the others, measured on the one left out; pooled = sum of counts)');
  for (const { s, cal } of loo) console.log(`  without ${s.name}: weights ${JSON.stringify(cal.weights)} bias ${cal.bias}`);
  console.log(`  threshold  ${[...sets.map((s) => s.name), 'pooled'].map((n) => `${n.padEnd(8)} r@3   MRR   neg`.padEnd(30)).join('')}`);
  for (const t of [0.3, 0.35, 0.38, 0.4, 0.45, 0.5, 0.55, 0.6]) {
    const cs = loo.map(({ s, cal }) => counts(s, { ...cal, threshold: t }));
    const sum = cs.reduce((a, c) => ({ r3: a.r3 + c.r3, mrr: a.mrr + c.mrr, ans: a.ans + c.ans, neg: a.neg + c.neg, rej: a.rej + c.rej }));
    const cell = (c: Counts): string => `${' '.repeat(8)} ${(c.r3 / c.ans).toFixed(3)} ${(c.mrr / c.ans).toFixed(3)} ${(c.rej / c.neg).toFixed(3)}`.padEnd(30);
    console.log(`  ${t.toFixed(2).padStart(9)}  ${[...cs, sum].map(cell).join('')}`);
  }
  // `--kinds-at T` (eighth session): the pooled left-out recall@3 per kind of query at threshold T (negatives: rejected).
  const ka = process.argv.indexOf('--kinds-at');
  if (ka > 0) {
    const t = Number(process.argv[ka + 1]);
    const per = new Map<string, { ok: number; n: number }>();
    // Tenth session (h-chat4): the same per set (`--kinds-per-set`), and each left-out query's outcome (`--dump-at FILE`, fitting sets only).
    const perSetKind = new Map<string, Map<string, { ok: number; n: number }>>();
    const dump: string[] = [];
    for (const { s, cal } of loo) {
      const mine = new Map<string, { ok: number; n: number }>();
      perSetKind.set(s.name, mine);
      for (const q of s.queries) {
        const ids = rank(s.ix, q.q, { limit: 3, calibration: { ...cal, threshold: t } }).map((r) => s.ix.articles[r.doc]!.id);
        const ok = q.expected.length ? ids.some((id) => q.expected.includes(id)) : ids.length === 0;
        for (const m of [per, mine]) {
          const c = m.get(q.kind) ?? { ok: 0, n: 0 };
          c.ok += ok ? 1 : 0;
          c.n++;
          m.set(q.kind, c);
        }
        dump.push(`${s.name}\t${q.kind}\t${ok ? 'ok' : 'MISS'}\t${ids.join(',')}\t${q.q}`);
      }
    }
    console.log(`\nper kind at ${t.toFixed(2)} (pooled left-out; right of n): ${[...per].map(([k, c]) => `${k} ${c.ok}/${c.n}`).join(' · ')}`);
    if (process.argv.includes('--kinds-per-set')) {
      for (const [name, m] of perSetKind) console.log(`  ${name.padEnd(8)} ${[...m].map(([k, c]) => `${k} ${c.ok}/${c.n}`).join(' · ')}`);
    }
    const da = process.argv.indexOf('--dump-at');
    if (da > 0) writeFileSync(process.argv[da + 1]!, `${dump.join('\n')}\n`);
  }
  // `--frontier`: the pooled left-out counts on a fine threshold grid (0.20–0.70 by 0.01), then for each
  // recall@3 level the most negatives rejected by a threshold that keeps at least that recall — the
  // cross-fit frontier, comparable between runs without matching thresholds by hand.
  if (process.argv.includes('--frontier')) {
    const pts: Array<{ t: number; r3: number; ans: number; rej: number; neg: number }> = [];
    for (let t = 0.2; t <= 0.7001; t += 0.01) {
      const cs = loo.map(({ s, cal }) => counts(s, { ...cal, threshold: t }));
      pts.push({ t, r3: cs.reduce((a, c) => a + c.r3, 0), ans: cs.reduce((a, c) => a + c.ans, 0), rej: cs.reduce((a, c) => a + c.rej, 0), neg: cs.reduce((a, c) => a + c.neg, 0) });
    }
    console.log(`\nfrontier (pooled left-out; answered of ${pts[0]!.ans} → most negatives rejected of ${pts[0]!.neg}, at threshold)`);
    for (const level of [0.95, 0.94, 0.93, 0.92, 0.91, 0.9, 0.89, 0.88, 0.87, 0.86, 0.85, 0.84, 0.83, 0.82]) {
      const ok = pts.filter((p) => p.r3 / p.ans >= level);
      const best = ok.sort((a, b) => b.rej - a.rej || b.r3 - a.r3)[0];
      console.log(`  recall@3 ≥ ${level.toFixed(2)}: ${best ? `${String(best.rej).padStart(3)} rejected (${(best.rej / best.neg).toFixed(3)}), ${best.r3} answered, t ${best.t.toFixed(2)}` : '-'}`);
    }
  }
}
const all = fit([...perSet.values()].flat());
table(`fitted on ${sets.map((s) => s.name).join(' + ')}`, all, sets);
console.log('\nexport const DEFAULT_CALIBRATION: Calibration =', JSON.stringify(all, null, 2));

// Per-slot cut-off with the shipped constants: later slots need more (step) and a share of the first (ratio).
console.log('\nper-slot cut-off (DEFAULT_CALIBRATION; wrong = articles shown that the query does not expect, per query)');
console.log(`  step ratio  ${sets.map((s) => `${s.name.padEnd(8)} r@3   MRR   neg   wrong`.padEnd(36)).join('')}`);
for (const slotStep of [0, 0.05, 0.1, 0.15]) {
  for (const slotRatio of [0, 0.5, 0.7, 0.85]) {
    const cal = { ...DEFAULT_CALIBRATION, slotStep, slotRatio };
    const cells = sets.map((s) => {
      const f = quality(s, cal);
      return `${' '.repeat(8)} ${f.r3.toFixed(3)} ${f.mrr.toFixed(3)} ${f.rej.toFixed(3)} ${f.wrong.toFixed(2)}`.padEnd(36);
    });
    console.log(`  ${slotStep.toFixed(2)} ${slotRatio.toFixed(2)}  ${cells.join('')}`);
  }
}
