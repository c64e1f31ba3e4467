import type { Connection } from 'mongoose';
import type { KbFeedback } from '../ports/kb.port.js';
import { kbFeedbackModel, kbFeedbackTallyModel } from './kb-feedback.model.js';
import { ShardedCounters, sumShards } from './sharded-counters.js';

/** Feedback event as the KB records it (structurally the `FeedbackEvent` of kb/feedback.ts). */
export interface KbFeedbackEvent extends KbFeedback {
  queryKey: string;
  at: Date;
}

const TALLY_COUNTERS = ['helpful', 'unhelpful', 'deflections'] as const;

export interface KbFeedbackTally {
  articleId: string;
  queryKey: string;
  helpful: number;
  unhelpful: number;
  deflections: number;
}

/**
 * MongoDB feedback store for the knowledge base: raw events in `kb_feedback`, counters in
 * `kb_feedback_tallies`, written as per-process shards (ShardedCounters) so no increment is lost on
 * FerretDB; readers sum the shards of each (desk, article, query) counter.
 */
export class MongoKbFeedbackStore {
  private readonly counters: ShardedCounters;
  constructor(private readonly c: Connection) {
    this.counters = new ShardedCounters(() => kbFeedbackTallyModel(c));
  }

  async record(e: KbFeedbackEvent): Promise<void> {
    await kbFeedbackModel(this.c).create({
      articleId: e.articleId,
      query: e.query,
      queryKey: e.queryKey,
      helpful: e.helpful,
      ...(e.deskId ? { deskId: e.deskId } : {}),
      ...(e.ticketId ? { ticketId: e.ticketId } : {}),
      at: e.at,
    });
    const inc = { helpful: e.helpful ? 1 : 0, unhelpful: e.helpful ? 0 : 1, deflections: e.helpful && e.ticketId ? 1 : 0 };
    const deskId = e.deskId ?? '';
    const keys = e.queryKey ? ['', e.queryKey] : [''];
    await Promise.all(keys.map((queryKey) => this.counters.add(`${deskId}|${e.articleId}|${queryKey}`, { deskId, articleId: e.articleId, queryKey }, inc)));
  }

  async tallies(articleIds: string[], queryKey: string, deskId?: string): Promise<KbFeedbackTally[]> {
    if (!articleIds.length) return [];
    const rows = await kbFeedbackTallyModel(this.c)
      .find({ deskId: deskId ?? '', articleId: { $in: articleIds }, queryKey: { $in: queryKey ? ['', queryKey] : [''] } })
      .lean();
    return sumShards(rows, (r) => `${r.articleId}|${r.queryKey}`, TALLY_COUNTERS).map(({ articleId, queryKey: k, helpful, unhelpful, deflections }) => ({ articleId, queryKey: k, helpful, unhelpful, deflections }));
  }

  /** Overall counts per article for a desk, most helpful first (feeds reports). */
  async report(deskId?: string): Promise<KbFeedbackTally[]> {
    const rows = await kbFeedbackTallyModel(this.c).find({ deskId: deskId ?? '', queryKey: '' }).lean();
    return sumShards(rows, (r) => r.articleId, TALLY_COUNTERS).sort((a, b) => b.helpful - a.helpful).map(({ articleId, queryKey, helpful, unhelpful, deflections }) => ({ articleId, queryKey, helpful, unhelpful, deflections }));
  }
}
