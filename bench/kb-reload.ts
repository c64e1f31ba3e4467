/**
 * Hot reload of a large knowledge base: how long the event loop is held while the index is rebuilt
 * (ninth session, h-build). Synthesises `--n` articles from a real folder (`kb-search-synth.ts`), writes
 * them as Markdown files to a temporary folder, opens it with `openKnowledgeBase` and reloads it,
 * alternating the synchronous build (`reloadSliceMs: Infinity`, the behaviour before the ninth
 * session) and the sliced one (`buildIndexAsync`, default 10 ms slices), while a 1 ms timer ticks and
 * a search runs every 20 ms (a stand-in for requests). Per run it prints:
 *   reload ms   wall time of `reload()` (load + build + swap)
 *   build ms    the build's own wall time (`buildMs`, yields included for the sliced build)
 *   max gap     the longest gap between two ticks of the 1 ms timer (how long a request could wait)
 *   p99 gap     the 99th percentile of those gaps; gaps > 50 ms: how many there were
 *   searches    searches answered during the reload, and how many found the old index's articles;
 *               ms per search: their mean time (at 50k articles the searches alone fill much of the loop,
 *               so the sliced build, which shares the loop with them, takes longer in wall time)
 * and, before the reloads, the same for `buildIndex` / `buildIndexAsync` alone (no file loading), after a
 * noise floor: 3 s of 10 ms busy slices that yield like the sliced build (what the host's load alone does
 * to the ticker; on 2 cores shared by several processes, descheduling shows up as gaps of 100 ms and more).
 *
 * With `--worker-cost`, it also prints what receiving a worker-built index would cost the main thread:
 * `v8.deserialize` (the structured clone postMessage uses) of the index without the shared glossary,
 * lexicon and dictionary, with and without its articles (the design not taken, see docs/kb.md).
 *
 *   npx tsx bench/kb-reload.ts [--kb kb/articles] [--n 10000] [--reps 2] [--slice-ms 10] [--mode both|sync|async] [--worker-cost]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { stringify } from 'yaml';
import { loadKbDir } from '../kb/loader.js';
import { openKnowledgeBase } from '../kb/open-kb.js';
import { buildIndex, buildIndexAsync } from '../kb/search-index.js';
import { synthesize } from './kb-search-synth.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : dflt;
};
const kbDir = arg('--kb', 'kb/articles');
const n = Number(arg('--n', '10000'));
const reps = Number(arg('--reps', '2'));
const sliceMs = Number(arg('--slice-ms', '10'));
const mode = arg('--mode', 'both');
const modes: Array<'sync' | 'async'> = mode === 'both' ? ['sync', 'async'] : [mode as 'sync' | 'async'];

interface Stall { ms: number; maxGap: number; p99Gap: number; over50: number; searches: number; oldHits: number; searchMs: number }

/** Runs `work` while a 1 ms timer ticks and `probe` runs every 20 ms; returns the stalls seen. */
async function measure(work: () => Promise<unknown>, probe: () => boolean = () => true): Promise<Stall> {
  let last = performance.now();
  let gaps: number[] = [];
  const tick = setInterval(() => {
    const t = performance.now();
    gaps.push(t - last);
    last = t;
  }, 1);
  let searches = 0;
  let oldHits = 0;
  let searchMs = 0;
  const req = setInterval(() => {
    const t = performance.now();
    searches++;
    if (probe()) oldHits++;
    searchMs += performance.now() - t;
  }, 20);
  await new Promise((r) => setTimeout(r, 30));
  searches = oldHits = searchMs = 0;
  gaps = [];
  last = performance.now();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  // The gap that ends with the work (a synchronous build) counts too.
  await new Promise((r) => setTimeout(r, 5));
  clearInterval(tick);
  clearInterval(req);
  gaps.sort((a, b) => a - b);
  return { ms, maxGap: gaps.at(-1) ?? 0, p99Gap: gaps[Math.floor(gaps.length * 0.99)] ?? 0, over50: gaps.filter((g) => g > 50).length, searches, oldHits, searchMs };
}

const f0 = (x: number): string => x.toFixed(0).padStart(7);
const row = (label: string, s: Stall, buildMs?: number): void =>
  console.log(`| ${label.padEnd(22)} | ${f0(s.ms)} | ${buildMs === undefined ? '      -' : f0(buildMs)} | ${f0(s.maxGap)} | ${f0(s.p99Gap)} | ${String(s.over50).padStart(5)} | ${String(s.searches).padStart(5)} / ${String(s.oldHits).padStart(5)} | ${s.searches ? (s.searchMs / s.searches).toFixed(1) : '-'} |`);
const header = (): void => {
  console.log('| run                    | wall ms | build ms | max gap ms | p99 gap ms | gaps > 50 ms | searches / old | ms per search |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
};

const { articles: real } = await loadKbDir(kbDir);
const corpus = synthesize(real, n);
console.log(`# kb-reload: ${n} articles synthesised from ${kbDir} (${real.length}), slice ${sliceMs} ms, ${reps} reps, node ${process.version}\n`);

// 1. The build alone.
buildIndex(real);
console.log('## build alone (no file loading)\n');
header();
// What the host's load alone does to the ticker: 10 ms busy slices with setImmediate in between, 3 s.
row('noise floor (10 ms slices)', await measure(async () => {
  const end = performance.now() + 3000;
  while (performance.now() < end) {
    const t = performance.now();
    while (performance.now() - t < 10);
    await new Promise<void>((r) => setImmediate(r));
  }
}));
for (let r = 0; r < reps; r++) {
  for (const m of modes) {
    let buildMs = 0;
    const s = await measure(async () => {
      const ix = m === 'sync' ? buildIndex(corpus) : await buildIndexAsync(corpus, {}, { sliceMs });
      buildMs = ix.buildMs;
    });
    row(m === 'sync' ? 'buildIndex' : 'buildIndexAsync', s, buildMs);
  }
}

if (process.argv.includes('--worker-cost')) {
  const { glossary: _g, lexicon: _l, dictionary: _d, ...ix } = buildIndex(corpus);
  const { articles: _a, ...noArticles } = ix;
  const cost = (x: object): string => {
    let t = performance.now();
    const buf = serialize(x);
    const ser = performance.now() - t;
    t = performance.now();
    deserialize(buf);
    return `serialize ${ser.toFixed(0)} ms, deserialize ${(performance.now() - t).toFixed(0)} ms (${(buf.length / 1e6).toFixed(1)} MB)`;
  };
  console.log('\n## worker design: structured-clone cost (v8.serialize / deserialize)\n');
  console.log(`- index with its articles: ${cost(ix)}`);
  console.log(`- index without articles (main thread keeps its own): ${cost(noArticles)}`);
  console.log(`- the articles alone (main thread sends them to the worker): ${cost(corpus)}`);
}

// 2. The whole reload: read the folder, build, swap.
const dir = await mkdtemp(join(tmpdir(), 'kb-reload-'));
try {
  for (const a of corpus) {
    const fm = stringify({ id: a.id, title: a.title, lang: a.lang, ...(a.category ? { category: a.category } : {}), tags: a.tags, summary: a.summary });
    await writeFile(join(dir, `${a.id}.md`), `---\n${fm}---\n${a.body}\n`);
  }
  console.log(`\n## reload() of ${n} files (openKnowledgeBase, ${dir})\n`);
  header();
  for (let r = 0; r < reps; r++) {
    for (const m of modes) {
      let buildMs = 0;
      const open = await openKnowledgeBase({ dir, reloadSliceMs: m === 'sync' ? Infinity : sliceMs, onReload: (i) => { buildMs = i.buildMs; } });
      const before = open.kb.index;
      // A search for the first article's title, answered by the index in use when it runs.
      const q = corpus[0]!.title;
      const s = await measure(() => open.reload(), () => open.kb.index === before && open.kb.search(q).length > 0);
      row(m === 'sync' ? 'reload (synchronous)' : 'reload (sliced)', s, buildMs);
      await open.close();
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
console.log('\nmax gap / p99 gap: longest / 99th-percentile gap between ticks of a 1 ms timer; searches / old: searches run every 20 ms during the run / those answered from the old index.');
