/** Quality and latency figures for a search function over a labelled query set (kb-dev format). */
import { readFile } from 'node:fs/promises';

export interface EvalQuery {
  q: string;
  /** Acceptable article ids; empty for a query no article answers. */
  expected: string[];
  kind: string;
}

export interface EvalFigures {
  kind: string;
  queries: number;
  answerable: number;
  recallAt1: number;
  recallAt3: number;
  mrr: number;
  negatives: number;
  /** Share of negative queries answered with nothing. */
  negativeRejection: number;
  /** Share of answerable queries answered with nothing (a missed chance to help). */
  emptyOnAnswerable: number;
  p50Ms: number;
  p99Ms: number;
}

export async function readQueries(path: string): Promise<EvalQuery[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l, i) => {
      const o = JSON.parse(l) as Partial<EvalQuery>;
      if (typeof o.q !== 'string') throw new Error(`${path}:${i + 1}: missing "q"`);
      return { q: o.q, expected: Array.isArray(o.expected) ? o.expected.map(String) : [], kind: typeof o.kind === 'string' ? o.kind : 'all' };
    });
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]! : 0;

interface Outcome {
  kind: string;
  expected: string[];
  ids: string[];
  ms: number;
}

function figures(kind: string, rows: Outcome[]): EvalFigures {
  const ans = rows.filter((r) => r.expected.length);
  const neg = rows.filter((r) => !r.expected.length);
  let r1 = 0;
  let r3 = 0;
  let mrr = 0;
  let empty = 0;
  for (const r of ans) {
    const rank = r.ids.findIndex((id) => r.expected.includes(id));
    if (rank === 0) r1++;
    if (rank >= 0 && rank < 3) r3++;
    if (rank >= 0) mrr += 1 / (rank + 1);
    if (!r.ids.length) empty++;
  }
  const ms = rows.map((r) => r.ms).sort((a, b) => a - b);
  const div = (a: number, b: number): number => (b ? a / b : NaN);
  return {
    kind,
    queries: rows.length,
    answerable: ans.length,
    recallAt1: div(r1, ans.length),
    recallAt3: div(r3, ans.length),
    mrr: div(mrr, ans.length),
    negatives: neg.length,
    negativeRejection: div(neg.filter((r) => !r.ids.length).length, neg.length),
    emptyOnAnswerable: div(empty, ans.length),
    p50Ms: percentile(ms, 0.5),
    p99Ms: percentile(ms, 0.99),
  };
}

/** Runs every query through `search` (ids best first) and returns overall then per-kind figures. */
export function runEval(queries: EvalQuery[], search: (q: string) => string[]): EvalFigures[] {
  const rows: Outcome[] = queries.map((q) => {
    const t0 = performance.now();
    const ids = search(q.q);
    return { kind: q.kind, expected: q.expected, ids, ms: performance.now() - t0 };
  });
  const kinds = [...new Set(rows.map((r) => r.kind))];
  return [figures('all', rows), ...kinds.map((k) => figures(k, rows.filter((r) => r.kind === k)))];
}

/** A fixed-width table of figures for terminals. */
export function formatFigures(rows: EvalFigures[]): string {
  const f = (x: number, d = 3): string => (Number.isNaN(x) ? '-' : x.toFixed(d));
  const head = ['kind', 'n', 'recall@1', 'recall@3', 'MRR', 'neg-rejected', 'p50 ms', 'p99 ms'];
  const lines = rows.map((r) => [r.kind, String(r.queries), f(r.recallAt1), f(r.recallAt3), f(r.mrr), r.negatives ? `${f(r.negativeRejection)} (${r.negatives})` : '-', f(r.p50Ms, 2), f(r.p99Ms, 2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [fmt(head), ...lines.map(fmt)].join('\n');
}
