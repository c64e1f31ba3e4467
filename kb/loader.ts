/**
 * Loads a folder of Markdown articles with YAML front matter. A broken file (bad YAML, missing title,
 * duplicate id, unreadable) is reported with its path and reason and skipped; the rest still load.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { parse } from 'yaml';
import { deriveSummary } from './summary.js';
import type { Article, LoadIssue, LoadResult } from './types.js';

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;
const ID_RE = /^[a-z0-9][a-z0-9._-]*$/i;

/** The fields an article may carry, from front matter or from a database record. */
export interface ArticleFields {
  id?: unknown;
  title?: unknown;
  lang?: unknown;
  category?: unknown;
  tags?: unknown;
  summary?: unknown;
}

/** Validates and normalises article fields; returns the reason when they are unusable. */
export function toArticle(fields: ArticleFields, body: string, fallbackId: string, source: string): Article | { error: string } {
  const id = fields.id === undefined || fields.id === null ? fallbackId : String(fields.id).trim();
  if (!ID_RE.test(id)) return { error: `invalid id ${JSON.stringify(id)}` };
  if (typeof fields.title !== 'string' || !fields.title.trim()) return { error: 'missing title' };
  let tags: string[] = [];
  if (Array.isArray(fields.tags)) tags = fields.tags.map((t) => String(t).trim()).filter(Boolean);
  else if (typeof fields.tags === 'string') tags = fields.tags.split(',').map((t) => t.trim()).filter(Boolean);
  else if (fields.tags !== undefined && fields.tags !== null) return { error: 'tags must be a list' };
  const summary = typeof fields.summary === 'string' && fields.summary.trim() ? fields.summary.trim() : deriveSummary(body);
  return {
    id,
    title: fields.title.trim(),
    lang: typeof fields.lang === 'string' && fields.lang.trim() ? fields.lang.trim().toLowerCase() : 'und',
    ...(typeof fields.category === 'string' && fields.category.trim() ? { category: fields.category.trim() } : {}),
    tags,
    summary,
    body: body.trim(),
    source,
  };
}

/** Parses one Markdown file's text. `path` names it in errors and gives the default id. */
export function parseArticle(path: string, text: string): Article | { error: string } {
  const m = FRONT_MATTER.exec(text);
  if (!m) return { error: 'no YAML front matter (the file must start with ---)' };
  let fields: unknown;
  try {
    fields = parse(m[1] ?? '');
  } catch (e) {
    return { error: `bad YAML: ${(e as Error).message.split('\n')[0]}` };
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return { error: 'front matter is not a YAML mapping' };
  return toArticle(fields as ArticleFields, text.slice(m[0].length), basename(path).replace(/\.(md|markdown)$/i, ''), path);
}

async function listMarkdown(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (/\.(md|markdown)$/i.test(e.name) && !/^readme\.md$/i.test(e.name)) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/** Adds articles in order, skipping (and reporting) ids already taken. */
export function dedupe(candidates: Array<Article | LoadIssue>, into: LoadResult = { articles: [], issues: [] }): LoadResult {
  const byId = new Map(into.articles.map((a) => [a.id, a]));
  for (const c of candidates) {
    if ('reason' in c) { into.issues.push(c); continue; }
    const prev = byId.get(c.id);
    if (prev) { into.issues.push({ path: c.source, reason: `duplicate id "${c.id}" (already used by ${prev.source})` }); continue; }
    byId.set(c.id, c);
    into.articles.push(c);
  }
  return into;
}

/**
 * Files read (and parsed) at once. Bounded so that a large folder neither opens thousands of files at
 * once nor parses thousands of them in one turn of the event loop when their reads complete together
 * (10k files: the loop was held 0.5–1.8 s, ninth session); each parse is a fraction of a millisecond.
 */
const READ_CONCURRENCY = 16;

/** Loads every `*.md` under `dir` (recursively; README.md is ignored). */
export async function loadKbDir(dir: string): Promise<LoadResult> {
  const files = await listMarkdown(dir);
  const loadOne = async (path: string): Promise<Article | LoadIssue> => {
    const shown = relative(process.cwd(), path) || path;
    try {
      const r = parseArticle(path, await readFile(path, 'utf8'));
      return 'error' in r ? { path: shown, reason: r.error } : r;
    } catch (e) {
      return { path: shown, reason: `unreadable: ${(e as Error).message}` };
    }
  };
  const parsed = new Array<Article | LoadIssue>(files.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      parsed[i] = await loadOne(files[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, files.length) }, lane));
  return dedupe(parsed);
}
