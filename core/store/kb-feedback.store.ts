import type { Connection } from 'mongoose';
import type { KbFeedback } from '../ports/kb.port.js';
import { kbFeedbackModel, kbFeedbackTallyModel } from './kb-feedback.model.js';
import { isDuplicateKey } from './schemas.js';

/** Feedback event as the KB records it (structurally the `FeedbackEvent` of kb/feedback.ts). */
export interface KbFeedbackEvent extends KbFeedback {
  queryKey: string;
  at: Date;
}

export interface KbFeedbackTally {
  articleId: string;
  queryKey: string;
  helpful: number;
  unhelpful: number;
  deflections: number;
}

/**
 * MongoDB feedback store for the knowledge base: raw events in `kb_feedback`, counters in
 * `kb_feedback_tallies` (one upserted `$inc` per counter document: single-document atomic updates).
 */
export class MongoKbFeedbackStore {
  constructor(private readonly c: Connection) {}

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
    const T = kbFeedbackTallyModel(this.c);
    for (const queryKey of keys) {
      const _id = `${deskId}|${e.articleId}|${queryKey}`;
      for (let attempt = 0; ; attempt++) {
        try {
          await T.updateOne({ _id }, { $inc: inc, $setOnInsert: { deskId, articleId: e.articleId, queryKey } }, { upsert: true });
          break;
        } catch (err) {
          // Two first-ever upserts of the same counter race: the loser retries as an update.
          if (!isDuplicateKey(err) || attempt > 3) throw err;
        }
      }
    }
  }

  async tallies(articleIds: string[], queryKey: string, deskId?: string): Promise<KbFeedbackTally[]> {
    if (!articleIds.length) return [];
    const rows = await kbFeedbackTallyModel(this.c)
      .find({ deskId: deskId ?? '', articleId: { $in: articleIds }, queryKey: { $in: queryKey ? ['', queryKey] : [''] } })
      .lean();
    return rows.map(({ articleId, queryKey: k, helpful, unhelpful, deflections }) => ({ articleId, queryKey: k, helpful, unhelpful, deflections }));
  }

  /** Overall counts per article for a desk, most helpful first (feeds reports). */
  async report(deskId?: string): Promise<KbFeedbackTally[]> {
    const rows = await kbFeedbackTallyModel(this.c).find({ deskId: deskId ?? '', queryKey: '' }).sort({ helpful: -1 }).lean();
    return rows.map(({ articleId, queryKey, helpful, unhelpful, deflections }) => ({ articleId, queryKey, helpful, unhelpful, deflections }));
  }
}
