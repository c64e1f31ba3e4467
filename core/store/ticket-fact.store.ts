import { randomBytes } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import { daysBetween, type FactWrite, type TicketFact } from '../domain/ticket-fact.js';
import type { ReportFact, ReportStore } from '../ports/report-store.port.js';
import { kbFeedbackModel } from './kb-feedback.model.js';
import { insertBatcher } from './insert-batcher.js';
import { ReportDays } from './report-days.store.js';

type FactDoc = Omit<TicketFact, 'ticketId'> & { _id: string };

const factSchema = new Schema<FactDoc>(
  {
    _id: { type: String, required: true },
    v: { type: Number, required: true },
    deskId: { type: String, required: true },
    day: { type: String, required: true },
  },
  { collection: 'ticket_facts', versionKey: false, strict: false },
);
factSchema.index({ deskId: 1, day: 1 });

export const ticketFactModel = (c: Connection): Model<FactDoc> =>
  (c.models.TicketFact as Model<FactDoc> | undefined) ?? c.model<FactDoc>('TicketFact', factSchema);

/** What a report reads: everything but ids and version (and nothing else ever stored there). */
export const REPORT_PROJECTION = {
  _id: 0, number: 1, createdAt: 1, day: 1, channel: 1, category: 1, priority: 1, status: 1, routed: 1, frBms: 1, resBms: 1, resolvedAt: 1,
  frBreached: 1, resBreached: 1, paused: 1, sa: 1, deflectedBy: 1, csat: 1, csatComment: 1, assignee: 1, claimers: 1, firstResponder: 1,
  resolver: 1, reopened: 1, escTiers: 1, kbGap: 1, q: 1,
} as const;

/**
 * Ticket facts in `ticket_facts` (one document per ticket, `_id` = ticket id). Written with single-
 * document updates only (FerretDB 1.24: no transactions, `$inc` not atomic): the snapshot is a
 * version-guarded upsert — a stale or replayed event finds a newer version, its insert hits the
 * `_id` and is dropped — and flags are plain `$set`s of values that never change back.
 */
export class MongoReportStore implements ReportStore {
  private readonly M: Model<FactDoc>;
  /** The per desk-day read model reports read (`report_days`), written after each fact. */
  readonly days: ReportDays;
  constructor(private readonly c: Connection) {
    this.M = ticketFactModel(c);
    this.days = new ReportDays(c);
  }

  /**
   * Builds `report_days` from `ticket_facts` once per database (facts stored before the read model
   * existed). Idempotent: entries merge, so a backfill running twice, or beside live writers, adds nothing.
   */
  async backfillDays(): Promise<number> {
    const marker = this.c.collection('report_writers');
    if (await marker.findOne({ _id: '@backfilled' } as never)) return 0;
    let n = 0;
    let chunk: Array<FactDoc & { _id: string }> = [];
    const flush = async () => {
      if (!chunk.length) return;
      await this.days.insert(ReportDays.docsFromFacts(chunk as never, `backfill-${randomBytes(6).toString('hex')}`));
      n += chunk.length;
      chunk = [];
    };
    for await (const f of this.M.collection.find({})) {
      chunk.push(f as unknown as FactDoc & { _id: string });
      if (chunk.length >= 5000) await flush();
    }
    await flush();
    await marker.updateOne({ _id: '@backfilled' } as never, { $set: { at: new Date(), facts: n } }, { upsert: true });
    return n;
  }

  async recordFact(write: FactWrite): Promise<void> {
    await this.writeFact(write);
    // The per desk-day read model after the fact itself (its entries merge: a replay adds nothing).
    await this.days.record(write);
  }

  private async writeFact({ snapshot, flags, first: known }: FactWrite): Promise<void> {
    const { ticketId, ...rest } = snapshot;
    const { escTier, claimer, ...set } = flags;
    const add: Record<string, unknown> = {};
    if (escTier !== undefined) add.escTiers = escTier;
    if (claimer !== undefined) add.claimers = claimer;
    const hasFlags = Object.keys(set).length > 0 || Object.keys(add).length > 0;
    // Flags never go back, so they ride along with the snapshot: one write in the usual case (a
    // ticket's first event inserts, later ones update), and a separate flags write only when the
    // snapshot is not newer (a replay or an out-of-order emit).
    const withFlags = (): Record<string, unknown> => {
      const u: Record<string, unknown> = { $set: { ...rest, ...set } };
      if (Object.keys(add).length) u.$addToSet = add;
      return u;
    };
    const insert = async (): Promise<boolean> => {
      const arrays = Object.fromEntries(Object.entries(add).map(([k, v]) => [k, [v]]));
      return (await insertBatcher(this.M).insert({ _id: ticketId, ...rest, ...set, ...arrays }, { raw: true })) === 'inserted';
    };
    // Not an upsert with the version in its filter: FerretDB 1.24 retries such an upsert forever
    // when the insert hits the existing `_id`. Version 1 (a new ticket) inserts first; otherwise
    // update if older, else insert; a duplicate `_id` means someone stored it meanwhile, so try the
    // guarded update once more (a no-op if theirs is newer).
    const guarded = async () => (await this.M.collection.updateOne({ _id: ticketId, v: { $lt: rest.v } } as never, withFlags())).matchedCount > 0;
    const first = rest.v <= 1 || known === true;
    if (first && (await insert())) return;
    if (await guarded()) return;
    if (!first && ((await insert()) || (await guarded()))) return;
    if (!hasFlags) return;
    const update: Record<string, unknown> = {};
    if (Object.keys(set).length) update.$set = set;
    if (Object.keys(add).length) update.$addToSet = add;
    await this.M.collection.updateOne({ _id: ticketId } as never, update);
  }

  /** The period's facts from the per desk-day read model (`report_days`, reads by `_id`): what reports use. */
  facts(deskId: string, fromDay: string, toDay: string): Promise<ReportFact[]> {
    return this.days.facts(deskId, fromDay, toDay);
  }

  /**
   * One equality query per day, in parallel: FerretDB 1.24 pushes equality filters down to
   * PostgreSQL but evaluates a range itself over every fact of the collection (measured with
   * bench/reports.ts PROFILE=1: 100,000 facts, 30-day range 4.6 s, 30 equality queries 0.9–2.2 s).
   */
  async exactFacts(deskId: string, fromDay: string, toDay: string): Promise<ReportFact[]> {
    const days = daysBetween(fromDay, toDay);
    if (days.length > 62) {
      return this.M.collection.find({ deskId, day: { $gte: fromDay, $lte: toDay } }, { projection: REPORT_PROJECTION }).toArray() as unknown as Promise<ReportFact[]>;
    }
    const perDay = await Promise.all(days.map((day) => this.M.collection.find({ deskId, day }, { projection: REPORT_PROJECTION }).toArray()));
    return perDay.flat() as unknown as ReportFact[];
  }

  async kbAnswers(deskId: string, from: Date, to: Date): Promise<Array<{ articleId: string; helpful: boolean; at: Date }>> {
    return kbFeedbackModel(this.c)
      .collection.find({ deskId, at: { $gte: from, $lt: to } }, { projection: { _id: 0, articleId: 1, helpful: 1, at: 1 } })
      .toArray() as unknown as Promise<Array<{ articleId: string; helpful: boolean; at: Date }>>;
  }
}
