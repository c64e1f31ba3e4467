/**
 * The knowledge base behind core's `KnowledgeBase` port: an in-memory index (swapped atomically on
 * reload) plus an optional feedback store for the ranking boost.
 */
import type { KbFeedback, KbSuggestion, KnowledgeBase } from '../core/ports/kb.port.js';
import { boostsFrom, queryKey, type FeedbackStore } from './feedback.js';
import { rank, type RankOptions } from './rank.js';
import type { KbIndex } from './search-index.js';
import type { Calibration } from './calibration.js';
import { textSignature } from './similarity.js';

export interface KnowledgeBaseOptions {
  feedback?: FeedbackStore;
  calibration?: Calibration;
  /** Builds a link to the full article, when articles are published somewhere. */
  articleUrl?: (id: string) => string | undefined;
}

export class SearchKnowledgeBase implements KnowledgeBase {
  private ix: KbIndex;
  private byId: Map<string, number>;

  constructor(index: KbIndex, private readonly opts: KnowledgeBaseOptions = {}) {
    this.ix = index;
    this.byId = new Map(index.articles.map((a, i) => [a.id, i]));
  }

  get index(): KbIndex {
    return this.ix;
  }

  /** Replaces the index (hot reload); searches in flight finish on the old one. */
  setIndex(index: KbIndex): void {
    this.ix = index;
    this.byId = new Map(index.articles.map((a, i) => [a.id, i]));
  }

  /** Synchronous search without feedback: CLI, benchmarks, tests. */
  search(query: string, opts: Omit<RankOptions, 'calibration'> = {}): KbSuggestion[] {
    const ix = this.ix;
    return rank(ix, query, { ...opts, ...(this.opts.calibration ? { calibration: this.opts.calibration } : {}) }).map((r) => this.toSuggestion(ix, r.doc, r.score));
  }

  async suggest(query: string, opts: { limit?: number; lang?: string; deskId?: string } = {}): Promise<KbSuggestion[]> {
    const limit = opts.limit ?? 3;
    const base: RankOptions = { limit, ...(opts.lang ? { lang: opts.lang } : {}), ...(this.opts.calibration ? { calibration: this.opts.calibration } : {}) };
    const fb = this.opts.feedback;
    if (!fb) return this.search(query, base);
    // Feedback can reorder the best few and lift or sink a borderline one, so look a little wider.
    const ix = this.ix;
    const pool = rank(ix, query, { ...base, limit: limit + 3, keepBelowThreshold: true });
    if (!pool.length) return [];
    const key = queryKey(query);
    const ids = pool.map((r) => ix.articles[r.doc]!.id);
    const boosts = boostsFrom(await fb.tallies(ids, key, opts.deskId), key);
    return rank(ix, query, { ...base, boosts }).map((r) => this.toSuggestion(ix, r.doc, r.score));
  }

  async recordFeedback(f: KbFeedback): Promise<void> {
    if (!this.opts.feedback) return;
    await this.opts.feedback.record({ ...f, queryKey: queryKey(f.query), at: new Date() });
  }

  signature(text: string): string[] {
    return textSignature(text, this.ix.glossary);
  }

  async article(id: string): Promise<{ id: string; title: string; body: string } | null> {
    const i = this.byId.get(id);
    if (i === undefined) return null;
    const a = this.ix.articles[i]!;
    return { id: a.id, title: a.title, body: a.body };
  }

  private toSuggestion(ix: KbIndex, doc: number, score: number): KbSuggestion {
    const a = ix.articles[doc]!;
    const url = this.opts.articleUrl?.(a.id);
    return {
      id: a.id,
      title: a.title,
      summary: a.summary,
      lang: a.lang,
      ...(a.category ? { category: a.category } : {}),
      score: Math.round(score * 1000) / 1000,
      ...(url ? { url } : {}),
    };
  }
}
