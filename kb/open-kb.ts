/**
 * Composition helper: loads the article folder (and ticket-saved articles), builds the index, and
 * optionally watches the folder so edits apply without a restart.
 */
import { dedupe, loadKbDir, toArticle, type ArticleFields } from './loader.js';
import { SearchKnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
import { buildIndex, type IndexOptions } from './search-index.js';
import type { Article, LoadIssue } from './types.js';
import { watchFolder, type WatchOptions } from './watch.js';

/** An article saved from a resolved ticket (core/store/kb-article.store.ts). */
export interface SavedArticle extends ArticleFields {
  id: string;
  body: string;
}

export interface OpenKbOptions extends KnowledgeBaseOptions {
  dir: string;
  /** Articles kept in the database; folder articles win on an id clash. */
  savedArticles?: () => Promise<SavedArticle[]>;
  index?: IndexOptions;
  /** Watch `dir` and rebuild on change. @defaultValue false */
  watch?: boolean | WatchOptions;
  /** Called with the skipped files after every (re)load. */
  onIssues?: (issues: LoadIssue[]) => void;
  /** Called after each successful reload. */
  onReload?: (info: { articles: number; issues: number; buildMs: number }) => void;
}

export interface OpenKb {
  kb: SearchKnowledgeBase;
  issues: LoadIssue[];
  /** Reloads from the folder and the database now. */
  reload: () => Promise<void>;
  close: () => Promise<void>;
}

async function loadAll(o: OpenKbOptions): Promise<{ articles: Article[]; issues: LoadIssue[] }> {
  const res = await loadKbDir(o.dir);
  if (o.savedArticles) {
    const saved = (await o.savedArticles()).map((s) => {
      const a = toArticle(s, s.body, s.id, `db:${s.id}`);
      return 'error' in a ? { path: `db:${s.id}`, reason: a.error } : a;
    });
    dedupe(saved, res);
  }
  return res;
}

export async function openKnowledgeBase(o: OpenKbOptions): Promise<OpenKb> {
  const first = await loadAll(o);
  o.onIssues?.(first.issues);
  const kb = new SearchKnowledgeBase(buildIndex(first.articles, o.index), o);
  const state: OpenKb = {
    kb,
    issues: first.issues,
    reload: async () => {
      const next = await loadAll(o);
      const ix = buildIndex(next.articles, o.index);
      kb.setIndex(ix);
      state.issues = next.issues;
      o.onIssues?.(next.issues);
      o.onReload?.({ articles: next.articles.length, issues: next.issues.length, buildMs: ix.buildMs });
    },
    close: async () => {},
  };
  if (o.watch) {
    const w = watchFolder(o.dir, state.reload, typeof o.watch === 'object' ? o.watch : {});
    await w.ready;
    state.close = w.close;
  }
  return state;
}
