/**
 * Synthetic typos on the fitting sets (issue 16: "typo at least as good as plain fuse.js"). The sets'
 * hand-written typo queries are few (13–31 per set) and all answered, so they no longer tell anything;
 * this bench injects typos into each fitting set's `exact` and `short` queries (and, with `--titles`, the
 * articles' titles, each expecting its own article) — deterministic, seeded — and measures ours against
 * plain fuse.js (the issue's baseline, `kb-search-baseline.ts`) and against the untouched query.
 *
 * A typo goes into a content word (not a stop word) of 4+ letters, never into its first letter except in
 * the `first-letter` variant:
 *   deletion (`printer` → `priter`), transposition of neighbours (`pirnter`), substitution by a QWERTY
 *   neighbour key (`prinyer`), insertion of a neighbour key or doubling (`printrer`, `prrinter`),
 *   two typos in one word of 6+ letters, one typo in each of two words, a typo in the first letter, and
 *   `real-word`: a single typo that yields another dictionary word (`isDictionaryWord`; not another form
 *   of the same word: the Spanish or English stems differ), e.g. `form` for `from`.
 *
 *   npx tsx bench/kb-typo-stress.ts --dev /work/shared/kb-dev [--k 3] [--seed 1] [--titles] [--misses] [--no-fuse] [MODE flags]
 *
 * Columns: ours (MODE as given by the flags of `kb-mode-args.ts`), ours with `--no-real-word-gate` on
 * top, plain fuse.js: recall@1 / recall@3 / answered (share of variants given any article); `kept` is
 * the share of variants whose untouched query ours finds in its top 3 that ours still finds in its top 3.
 * `--misses` lists ours' misses whose untouched query it finds (fitting sets only: kb-unseen is never used).
 */
import { defaultDictionary, isDictionaryWord } from '../kb/dictionary.js';
import { readQueries } from '../kb/eval.js';
import { SearchKnowledgeBase } from '../kb/knowledge-base.js';
import { loadKbDir } from '../kb/loader.js';
import { buildIndex } from '../kb/search-index.js';
import { MODE } from '../kb/search.js';
import { stemEn, stemEs } from '../kb/stem.js';
import { isStopWord } from '../kb/stopwords.js';
import { fold } from '../kb/text.js';
import type { Article } from '../kb/types.js';
import { buildBaseline } from './kb-search-baseline.js';
import { applyModeArgs } from './kb-mode-args.js';
import { rng } from './kb-search-synth.js';
import { devDir, kbSets } from './kb-sets.js';
applyModeArgs(process.argv);

const argv = process.argv;
const num = (name: string, dflt: number): number => {
  const i = argv.indexOf(name);
  return i > 0 && argv[i + 1] ? Number(argv[i + 1]) : dflt;
};
const K = num('--k', 3);
const SEED = num('--seed', 1);

/** QWERTY rows; a key's neighbours are the keys beside it and the two above and below it. */
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const NEIGHBOURS = new Map<string, string>();
for (let r = 0; r < ROWS.length; r++) {
  for (let c = 0; c < ROWS[r]!.length; c++) {
    const n: string[] = [];
    const at = (rr: number, cc: number): void => {
      const ch = ROWS[rr]?.[cc];
      if (ch) n.push(ch);
    };
    at(r, c - 1);
    at(r, c + 1);
    // Each row is shifted right by about half a key from the one above.
    at(r - 1, c);
    at(r - 1, c + 1);
    at(r + 1, c - 1);
    at(r + 1, c);
    NEIGHBOURS.set(ROWS[r]![c]!, n.join(''));
  }
}

const SINGLE = ['deletion', 'transposition', 'substitution', 'insertion'] as const;
type Single = (typeof SINGLE)[number];
const OPS = ['source', ...SINGLE, 'two-in-word', 'two-words', 'first-letter', 'real-word'] as const;
type Op = (typeof OPS)[number];

/** One typo of kind `op` at letter `i` (`r` picks the key); undefined when it does not apply there. */
function edit(w: string, op: Single, i: number, r: () => number): string | undefined {
  const ch = w[i]!.toLowerCase();
  const keys = NEIGHBOURS.get(ch);
  switch (op) {
    case 'deletion':
      return w.slice(0, i) + w.slice(i + 1);
    case 'transposition':
      return i + 1 < w.length && w[i] !== w[i + 1] ? w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2) : undefined;
    case 'substitution':
      return keys ? w.slice(0, i) + keys[Math.floor(r() * keys.length)] + w.slice(i + 1) : undefined;
    case 'insertion':
      // Half the time the key is doubled, otherwise a neighbour key is struck with it.
      if (!keys || r() < 0.5) return w.slice(0, i + 1) + w[i] + w.slice(i + 1);
      return w.slice(0, i + 1) + keys[Math.floor(r() * keys.length)] + w.slice(i + 1);
  }
}

/** Every single typo of `w` (deterministic order), for the real-word variant. */
function allEdits(w: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < w.length; i++) {
    out.push(w.slice(0, i) + w.slice(i + 1));
    if (i + 1 < w.length && w[i] !== w[i + 1]) out.push(w.slice(0, i) + w[i + 1] + w[i] + w.slice(i + 2));
    for (const k of NEIGHBOURS.get(w[i]!.toLowerCase()) ?? '') {
      out.push(w.slice(0, i) + k + w.slice(i + 1));
      out.push(w.slice(0, i + 1) + k + w.slice(i + 1));
    }
    out.push(w.slice(0, i + 1) + w[i] + w.slice(i + 1));
  }
  return out;
}

interface Span {
  start: number;
  end: number;
  word: string;
}

const LETTER = /\p{L}/u;
/** Content words of 4+ letters, with their place in the query. One pass over the characters. */
function contentWords(q: string): Span[] {
  const out: Span[] = [];
  let start = -1;
  for (let i = 0; i <= q.length; i++) {
    const isLetter = i < q.length && LETTER.test(q[i]!);
    if (isLetter && start < 0) start = i;
    if (!isLetter && start >= 0) {
      const word = q.slice(start, i);
      const f = fold(word);
      if (f.length >= 4 && !isStopWord(f)) out.push({ start, end: i, word });
      start = -1;
    }
  }
  return out;
}

const replace = (q: string, s: Span, w: string): string => q.slice(0, s.start) + w + q.slice(s.end);
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)]!;

/** A string hash for per-variant seeds, so adding a source or an operation moves no other variant. */
function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

const dict = defaultDictionary();
const sameWord = (a: string, b: string): boolean => stemEn(a) === stemEn(b) || stemEs(a) === stemEs(b);

/** One typo of kind `op` in `q` (attempt `k`), or undefined when the query has no word it applies to. */
function variant(q: string, op: Op, k: number): { q: string; realWord: boolean } | undefined {
  const r = rng(hash(`${SEED}|${op}|${k}|${q}`));
  const spans = contentWords(q);
  if (!spans.length) return undefined;
  const real = (from: string, to: string): boolean => {
    const a = fold(from);
    const b = fold(to);
    return a !== b && isDictionaryWord(dict, b) && !sameWord(a, b);
  };
  const changed = (s: Span, w: string | undefined): w is string => w !== undefined && fold(w) !== fold(s.word);
  for (let attempt = 0; attempt < 20; attempt++) {
    if (op === 'source') return { q, realWord: false };
    if (op === 'real-word') {
      // Every single typo of every content word that makes another dictionary word, then one at random.
      const found: Array<[Span, string]> = [];
      for (const s of spans) for (const e of allEdits(s.word)) if (real(s.word, e) && !found.some(([fs, fe]) => fs === s && fe === e)) found.push([s, e]);
      if (!found.length) return undefined;
      const [s, e] = pick(found, r);
      return { q: replace(q, s, e), realWord: true };
    }
    if (op === 'two-words') {
      if (spans.length < 2) return undefined;
      const a = Math.floor(r() * spans.length);
      let b = Math.floor(r() * (spans.length - 1));
      if (b >= a) b++;
      const [s1, s2] = a < b ? [spans[a]!, spans[b]!] : [spans[b]!, spans[a]!];
      const e2 = edit(s2.word, pick(SINGLE, r), 1 + Math.floor(r() * (s2.word.length - 1)), r);
      const e1 = edit(s1.word, pick(SINGLE, r), 1 + Math.floor(r() * (s1.word.length - 1)), r);
      if (!changed(s1, e1) || !changed(s2, e2)) continue;
      return { q: replace(replace(q, s2, e2), s1, e1), realWord: real(s1.word, e1) || real(s2.word, e2) };
    }
    if (op === 'two-in-word') {
      const long = spans.filter((s) => fold(s.word).length >= 6);
      if (!long.length) return undefined;
      const s = pick(long, r);
      const once = edit(s.word, pick(SINGLE, r), 1 + Math.floor(r() * (s.word.length - 1)), r);
      if (!once) continue;
      const twice = edit(once, pick(SINGLE, r), 1 + Math.floor(r() * (once.length - 1)), r);
      if (!changed(s, twice) || !changed(s, once) || fold(twice) === fold(once)) continue;
      return { q: replace(q, s, twice), realWord: real(s.word, twice) };
    }
    const s = pick(spans, r);
    let e: string | undefined;
    if (op === 'first-letter') {
      const kind = pick(SINGLE, r);
      // An insertion before the first letter: a neighbour key struck first (`oprinter`).
      const keys = NEIGHBOURS.get(s.word[0]!.toLowerCase());
      e = kind === 'insertion' ? (keys ? keys[Math.floor(r() * keys.length)] + s.word : undefined) : edit(s.word, kind, 0, r);
    } else e = edit(s.word, op, 1 + Math.floor(r() * (s.word.length - 1)), r);
    if (!changed(s, e)) continue;
    return { q: replace(q, s, e), realWord: real(s.word, e) };
  }
  return undefined;
}

interface Variant {
  set: string;
  op: Op;
  q: string;
  source: string;
  expected: string[];
  realWord: boolean;
}

type Search = (q: string) => string[];
interface Tally {
  n: number;
  r1: number;
  r3: number;
  answered: number;
  srcHit: number;
  kept: number;
}
const tally = (): Tally => ({ n: 0, r1: 0, r3: 0, answered: 0, srcHit: 0, kept: 0 });

const systems: Array<{ name: string; mode?: Partial<typeof MODE> }> = [{ name: 'ours' }];
if (MODE.realWordsNotTypos && !argv.includes('--no-gate-column')) systems.push({ name: 'ours, no gate', mode: { realWordsNotTypos: false } });
if (!argv.includes('--no-fuse')) systems.push({ name: 'fuse.js' });
const given = { ...MODE };

/** per system → per row key (`op` or `set`) → tally. */
const byOp = new Map<string, Map<string, Tally>>();
const bySet = new Map<string, Map<string, Tally>>();
const add = (m: Map<string, Map<string, Tally>>, sys: string, key: string): Tally => {
  let inner = m.get(sys);
  if (!inner) m.set(sys, (inner = new Map()));
  let t = inner.get(key);
  if (!t) inner.set(key, (t = tally()));
  return t;
};
const misses: string[] = [];

for (const set of kbSets(devDir()).filter((s) => s.fitting)) {
  const { articles } = await loadKbDir(set.articles);
  const sources: Array<{ q: string; expected: string[] }> = (await readQueries(set.queries)).filter((q) => (q.kind === 'exact' || q.kind === 'short') && q.expected.length);
  if (argv.includes('--titles')) sources.push(...articles.map((a: Article) => ({ q: a.title, expected: [a.id] })));
  const variants: Variant[] = [];
  for (const src of sources) {
    for (const op of OPS) {
      const seen = new Set<string>();
      for (let k = 0; k < (op === 'source' ? 1 : K); k++) {
        const v = variant(src.q, op, k);
        if (!v || seen.has(v.q)) continue;
        seen.add(v.q);
        variants.push({ set: set.name, op, q: v.q, source: src.q, expected: src.expected, realWord: v.realWord });
      }
    }
  }
  for (const sys of systems) {
    Object.assign(MODE, given, sys.mode ?? {});
    let search: Search;
    if (sys.name === 'fuse.js') {
      const base = buildBaseline(articles);
      search = (q) => base.search(q, 3);
    } else {
      const kb = new SearchKnowledgeBase(buildIndex(articles));
      search = (q) => kb.search(q, { limit: 3 }).map((r) => r.id);
    }
    const srcRank = new Map<string, number>();
    for (const src of sources) srcRank.set(src.q, search(src.q).findIndex((id) => src.expected.includes(id)));
    for (const v of variants) {
      const ids = search(v.q);
      const rank = ids.findIndex((id) => v.expected.includes(id));
      const srcOk = (srcRank.get(v.source) ?? -1) >= 0;
      const rows = [add(byOp, sys.name, v.op)];
      if (v.op !== 'source') rows.push(add(bySet, sys.name, v.set), add(bySet, sys.name, 'all'));
      if (v.op !== 'source' && v.op !== 'real-word' && v.realWord) rows.push(add(byOp, sys.name, 'any op → dictionary word'));
      if (v.op !== 'source') rows.push(add(byOp, sys.name, 'all typos'));
      for (const t of rows) {
        t.n++;
        if (rank === 0) t.r1++;
        if (rank >= 0) t.r3++;
        if (ids.length) t.answered++;
        if (srcOk) {
          t.srcHit++;
          if (rank >= 0) t.kept++;
        }
      }
      if (argv.includes('--misses') && sys.name === 'ours' && v.op !== 'source' && srcOk && rank < 0) misses.push(`${v.set}\t${v.op}\t${v.q}\t(${v.source})\t→ ${ids.join(', ') || '(nothing)'}`);
    }
  }
}
Object.assign(MODE, given);

const cell = (t: Tally | undefined, withKept: boolean): string =>
  !t || !t.n ? '-' : `${(t.r1 / t.n).toFixed(2)} / ${(t.r3 / t.n).toFixed(2)} / ${(t.answered / t.n).toFixed(2)}${withKept ? ` (${t.srcHit ? (t.kept / t.srcHit).toFixed(2) : '-'})` : ''}`;
const head = (first: string): void => {
  console.log(`| ${first} | n | ${systems.map((s) => `${s.name}${s.name === 'fuse.js' ? '' : ' (kept)'}`).join(' | ')} |`);
  console.log(`|---|---:|${systems.map(() => '---').join('|')}|`);
};
const flags = argv.slice(2).filter((a, i, all) => a !== '--dev' && all[i - 1] !== '--dev' && a !== '--misses').join(' ');
console.log(`Synthetic typos on the fitting sets (seed ${SEED}, ${K} per query and operation${flags ? `; ${flags}` : ''}): recall@1 / recall@3 / answered (kept: recall@3 among variants whose untouched query ours finds)\n`);
head('operation');
for (const key of [...OPS, 'any op → dictionary word', 'all typos']) {
  const n = byOp.get('ours')?.get(key)?.n ?? 0;
  console.log(`| ${key} | ${n} | ${systems.map((s) => cell(byOp.get(s.name)?.get(key), s.name !== 'fuse.js')).join(' | ')} |`);
}
console.log('');
head('set (all typo variants)');
for (const key of [...kbSets(devDir()).filter((s) => s.fitting).map((s) => s.name), 'all']) {
  const n = bySet.get('ours')?.get(key)?.n ?? 0;
  console.log(`| ${key} | ${n} | ${systems.map((s) => cell(bySet.get(s.name)?.get(key), s.name !== 'fuse.js')).join(' | ')} |`);
}
if (misses.length) console.log(`\nours' misses whose untouched query it finds (${misses.length}):\n${misses.join('\n')}`);
