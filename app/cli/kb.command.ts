import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import type { SearchKnowledgeBase } from '../../kb/knowledge-base.js';

// The search modules (fuse.js, stemmers, stop-word lists) load when a kb command runs, not for `--help`.
const kbModules = async () => {
  const [authoring, evalMod, knowledgeBase, loader, searchIndex] = await Promise.all([
    import('../../kb/authoring.js'),
    import('../../kb/eval.js'),
    import('../../kb/knowledge-base.js'),
    import('../../kb/loader.js'),
    import('../../kb/search-index.js'),
  ]);
  return { ...authoring, ...evalMod, ...knowledgeBase, ...loader, ...searchIndex };
};

const positiveInt = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

async function openKb(dir: string, quiet = false): Promise<SearchKnowledgeBase> {
  const { loadKbDir, buildIndex, SearchKnowledgeBase } = await kbModules();
  const { articles, issues } = await loadKbDir(dir);
  for (const i of issues) console.error(`kb: skipped ${i.path}: ${i.reason}`);
  const ix = buildIndex(articles);
  if (!quiet) console.error(`kb: ${articles.length} articles indexed in ${ix.buildMs.toFixed(0)} ms`);
  return new SearchKnowledgeBase(ix);
}

/** One query per line: plain text, or a JSON object with a `q` field. */
function parseBatchLine(line: string): string | undefined {
  const t = line.trim();
  if (!t) return undefined;
  if (t.startsWith('{')) {
    try {
      const o = JSON.parse(t) as { q?: unknown };
      if (typeof o.q === 'string') return o.q;
    } catch {
      // not JSON: search the text as it is
    }
  }
  return t;
}

async function runBatch(kb: SearchKnowledgeBase, source: string, limit: number): Promise<void> {
  const input = source === '-' ? process.stdin : createReadStream(source, 'utf8');
  const rl = createInterface({ input, crlfDelay: Infinity });
  for await (const line of rl) {
    const q = parseBatchLine(line);
    if (q === undefined) continue;
    const results = kb.search(q, { limit }).map((s) => ({ id: s.id, score: s.score }));
    process.stdout.write(`${JSON.stringify({ q, results })}\n`);
  }
}

/** Registers `helpdesk kb …`: search, lint, eval. */
export function registerKbCommands(program: Command): void {
  const kb = program.command('kb').description('Search, lint and evaluate the knowledge base');

  kb.command('search')
    .description('Suggest articles for a query (or for each line of --batch)')
    .requiredOption('--kb <dir>', 'folder of Markdown articles')
    .option('--limit <n>', 'most suggestions per query', positiveInt, 3)
    .option('--json', 'print suggestions as JSON')
    .option('--batch <file>', 'read one query per line from a file, or - for stdin; writes JSON lines')
    .option('--lang <lang>', 'preferred article language')
    .argument('[query...]', 'what the person typed')
    .action(async (words: string[], o: { kb: string; limit: number; json?: boolean; batch?: string; lang?: string }) => {
      const base = await openKb(o.kb, Boolean(o.batch));
      if (o.batch) return runBatch(base, o.batch, o.limit);
      const query = words.join(' ').trim();
      if (!query) throw new Error('kb search: give a query, or --batch <file|->');
      const found = base.search(query, { limit: o.limit, ...(o.lang ? { lang: o.lang } : {}) });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(found, null, 2)}\n`);
        return;
      }
      if (!found.length) {
        console.log('No matching article.');
        return;
      }
      for (const s of found) console.log(`${s.score.toFixed(2)}  ${s.id}  ${s.title}\n      ${s.summary}`);
    });

  kb.command('lint')
    .description('Check every article file (exit 1 when a file would be skipped); warn about near-duplicates, missing translations and, with --queries, articles no query retrieved')
    .requiredOption('--kb <dir>', 'folder of Markdown articles')
    .option('--queries <files...>', 'evaluation sets or logs of real questions (one per line, plain text or JSON with "q")')
    .action(async (o: { kb: string; queries?: string[] }) => {
      const { loadKbDir, buildIndex, nearDuplicates, missingTranslations, neverRetrieved } = await kbModules();
      const { articles, issues } = await loadKbDir(o.kb);
      const warnings: string[] = [];
      for (const a of articles) {
        const miss = [a.lang === 'und' && 'lang', !a.category && 'category', !a.tags.length && 'tags'].filter(Boolean);
        if (miss.length) warnings.push(`${a.source}: no ${miss.join(', ')}`);
        if (a.body.split(/\s+/).length < 40) warnings.push(`${a.source}: body is very short`);
      }
      const ix = buildIndex(articles);
      const source = new Map(articles.map((a) => [a.id, a.source]));
      const findings = [...nearDuplicates(ix), ...missingTranslations(ix)];
      if (o.queries?.length) {
        const qs: string[] = [];
        for (const f of o.queries) {
          const rl = createInterface({ input: createReadStream(f, 'utf8'), crlfDelay: Infinity });
          for await (const line of rl) {
            const q = parseBatchLine(line);
            if (q !== undefined) qs.push(q);
          }
        }
        findings.push(...neverRetrieved(ix, qs));
      }
      for (const f of findings) warnings.push(`${source.get(f.id) ?? f.id}: ${f.kind}: ${f.message}`);
      for (const i of issues) console.log(`error  ${i.path}: ${i.reason}`);
      for (const w of warnings) console.log(`warn   ${w}`);
      console.log(`${articles.length} articles ok, ${issues.length} skipped, ${warnings.length} warnings`);
      if (issues.length) process.exitCode = 1;
    });

  kb.command('eval')
    .description('Recall@1, recall@3, MRR, negative rejection and latency over a labelled query set')
    .requiredOption('--kb <dir>', 'folder of Markdown articles')
    .requiredOption('--queries <file>', 'JSON lines: {"q", "expected": [ids], "kind"}')
    .option('--json', 'print figures as JSON')
    .action(async (o: { kb: string; queries: string; json?: boolean }) => {
      const base = await openKb(o.kb, Boolean(o.json));
      const { readQueries, runEval, formatFigures } = await kbModules();
      const queries = await readQueries(o.queries);
      for (const q of queries.slice(0, 20)) base.search(q.q); // warm up the JIT before timing
      const rows = runEval(queries, (q) => base.search(q, { limit: 3 }).map((s) => s.id));
      if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else console.log(formatFigures(rows));
    });
}
