/**
 * Composition helper: loads the article folder (and ticket-saved articles), builds the index, and
 * optionally watches the folder so edits apply without a restart.
 */
import { dedupe, loadKbDir, toArticle, type ArticleFields } from './loader.js';
import { SearchKnowledgeBase, type KnowledgeBaseOptions } from './knowledge-base.js';
import { buildIndex, buildIndexAsync, type IndexOptions } from './search-index.js';
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
  /**
   * Called when a reload the watcher started fails (the folder or the database unreadable, the build
   * throwing); searches keep the previous index. @defaultValue logs the error with console.error
   */
  onReloadError?: (err: unknown) => void;
  /**
   * Longest stretch a reload's index build holds the event loop before yielding (`buildIndexAsync`);
   * `Infinity` builds in one go, as before the ninth session. @defaultValue 10
   */
  reloadSliceMs?: number;
}

export interface OpenKb {
  kb: SearchKnowledgeBase;
  issues: LoadIssue[];
  /**
   * Reloads from the folder and the database now, building the new index in slices that leave the
   * event loop free; searches use the old index until the new one is complete. A call while a reload
   * runs waits for it and then reloads once more (calls in that window share that one reload), so two
   * builds never run at once and the latest files win. Rejects (keeping the old index) when loading or
   * building fails.
   */
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
  const once = async (): Promise<void> => {
    const next = await loadAll(o);
    const ix = await buildIndexAsync(next.articles, o.index, { sliceMs: o.reloadSliceMs ?? 10 });
    kb.setIndex(ix);
    state.issues = next.issues;
    o.onIssues?.(next.issues);
    o.onReload?.({ articles: next.articles.length, issues: next.issues.length, buildMs: ix.buildMs });
  };
  // At most one reload runs; calls during it share one follow-up reload that starts when it ends.
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  const reload = (): Promise<void> => {
    if (!running) {
      running = once().finally(() => { running = undefined; });
      return running;
    }
    queued ??= running.catch(() => {}).then(() => { queued = undefined; return reload(); });
    return queued;
  };
  const state: OpenKb = { kb, issues: first.issues, reload, close: async () => {} };
  if (o.watch) {
    const report = o.onReloadError ?? ((err: unknown) => console.error(`knowledge base reload failed, still searching the previous index (${kb.index.articles.length} articles):`, err));
    const onChange = (): Promise<void> => reload().catch(report);
    const w = watchFolder(o.dir, onChange, typeof o.watch === 'object' ? o.watch : {});
    await w.ready;
    state.close = w.close;
  }
  return state;
}
