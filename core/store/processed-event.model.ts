import { Schema, type Connection, type Model } from 'mongoose';
import type { IdempotencyStore } from '../ports/ticket-store.port.js';
import { isDuplicateKey } from './schemas.js';

interface ProcessedDoc {
  _id: string;
  at: Date;
}
const processedSchema = new Schema<ProcessedDoc>({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { collection: 'processed_events', versionKey: false });
// No TTL index (FerretDB has none): jobs/ prunes old ids with a scheduled deleteMany on `at`.
processedSchema.index({ at: 1 });

export const processedEventModel = (c: Connection): Model<ProcessedDoc> =>
  (c.models.ProcessedEvent as Model<ProcessedDoc> | undefined) ?? c.model<ProcessedDoc>('ProcessedEvent', processedSchema);

/** Idempotency by inserting the event id as `_id`: the unique primary key makes the first insert win. */
export class MongoIdempotencyStore implements IdempotencyStore {
  private readonly M: Model<ProcessedDoc>;
  constructor(conn: Connection, private readonly now: () => Date = () => new Date()) {
    this.M = processedEventModel(conn);
  }
  async firstTime(key: string): Promise<boolean> {
    try {
      await this.M.create({ _id: key, at: this.now() });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }
  /** Forgets ids older than `before` (platforms stop retrying within minutes to hours). */
  async prune(before: Date): Promise<number> {
    const r = await this.M.deleteMany({ at: { $lt: before } });
    return r.deletedCount;
  }
}
