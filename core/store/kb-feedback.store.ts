import type { Connection } from 'mongoose';
import type { KbFeedback } from '../ports/kb.port.js';
import { kbFeedbackModel, kbFeedbackTallyModel, type KbFeedbackTallyDoc } from './kb-feedback.model.js';
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
 * How long a desk's tallies read into memory answer ranking look-ups (every suggestion asks, so a
 * storm of requests would read them once per request): feedback recorded through this store drops
 * the copy at once; feedback recorded by another process moves rankings at most this much later.
 * @defaultValue 2 s
 */
export const TALLY_CACHE_MS = 2_000;
/**
 * A desk with more tally documents than this is not kept in memory: its look-ups query the
 * collection each time, as before (the copy is meant for desks whose tallies are a few pages).
 * @defaultValue 2,000
 */
export const TALLY_SNAPSHOT_MAX = 2_000;

interface TallySnapshot {
  at: number;
  gen: number;
  /** The desk's tally documents, or null when it has more than TALLY_SNAPSHOT_MAX. */
  rows: Promise<KbFeedbackTallyDoc[] | null>;
}

/**
 * MongoDB feedback store for the knowledge base: raw events in `kb_feedback`, counters in
 * `kb_feedback_tallies`, written as per-process shards (ShardedCounters) so no increment is lost on
 * FerretDB; readers sum the shards of each (desk, article, query) counter.
 */
export class MongoKbFeedbackStore {
  private readonly counters: ShardedCounters;
  /** Per desk: its tallies as last read (ranking look-ups), dropped on this store's writes. */
  private readonly snapshots = new Map<string, TallySnapshot>();
  /** Bumped after each recorded feedback: a copy read before it is not used after it. */
  private gen = 0;
  constructor(
    private readonly c: Connection,
    private readonly cacheMs = TALLY_CACHE_MS,
  ) {
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
    try {
      await Promise.all(keys.map((queryKey) => this.counters.add(`${deskId}|${e.articleId}|${queryKey}`, { deskId, articleId: e.articleId, queryKey }, inc)));
    } finally {
      this.gen += 1;
      this.snapshots.clear();
    }
  }

  /** The desk's tally documents from a copy at most `cacheMs` old (one read shared by concurrent callers), or null when there are too many to keep. */
  private async deskRows(deskId: string): Promise<KbFeedbackTallyDoc[] | null> {
    const now = Date.now();
    const hit = this.snapshots.get(deskId);
    if (hit && hit.gen === this.gen && now - hit.at < this.cacheMs) return hit.rows;
    const snap: TallySnapshot = {
      at: now,
      gen: this.gen,
      rows: kbFeedbackTallyModel(this.c)
        .find({ deskId })
        .limit(TALLY_SNAPSHOT_MAX + 1)
        .lean<KbFeedbackTallyDoc[]>()
        .then((rows) => (rows.length > TALLY_SNAPSHOT_MAX ? null : rows)),
    };
    this.snapshots.set(deskId, snap);
    snap.rows.catch(() => {
      if (this.snapshots.get(deskId) === snap) this.snapshots.delete(deskId);
    });
    return snap.rows;
  }

  async tallies(articleIds: string[], queryKey: string, deskId?: string): Promise<KbFeedbackTally[]> {
    if (!articleIds.length) return [];
    const desk = deskId ?? '';
    const keys = queryKey ? ['', queryKey] : [''];
    const cached = this.cacheMs > 0 ? await this.deskRows(desk) : null;
    const ids = new Set(articleIds);
    const rows = cached
      ? cached.filter((r) => ids.has(r.articleId) && keys.includes(r.queryKey))
      : await kbFeedbackTallyModel(this.c)
          .find({ deskId: desk, articleId: { $in: articleIds }, queryKey: { $in: keys } })
          .lean();
    return sumShards(rows, (r) => `${r.articleId}|${r.queryKey}`, TALLY_COUNTERS).map(({ articleId, queryKey: k, helpful, unhelpful, deflections }) => ({ articleId, queryKey: k, helpful, unhelpful, deflections }));
  }

  /** Overall counts per article for a desk, most helpful first (feeds reports). */
  async report(deskId?: string): Promise<KbFeedbackTally[]> {
    const rows = await kbFeedbackTallyModel(this.c).find({ deskId: deskId ?? '', queryKey: '' }).lean();
    return sumShards(rows, (r) => r.articleId, TALLY_COUNTERS).sort((a, b) => b.helpful - a.helpful).map(({ articleId, queryKey, helpful, unhelpful, deflections }) => ({ articleId, queryKey, helpful, unhelpful, deflections }));
  }
}
