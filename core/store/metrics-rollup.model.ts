import { Schema, type Connection, type Model } from 'mongoose';
import { ROLLUP_FIELDS, type DailyRollup, type MetricsStore, type RollupField } from '../ports/metrics.port.js';
import { isDuplicateKey } from './schemas.js';

type RollupDoc = DailyRollup & { _id: string };
const rollupSchema = new Schema<RollupDoc>(
  { _id: { type: String, required: true }, deskId: { type: String, required: true }, day: { type: String, required: true }, ...Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, { type: Number, default: 0 }])) },
  { collection: 'metric_rollups', versionKey: false },
);
rollupSchema.index({ deskId: 1, day: 1 });

/**
 * Rollups kept with `$inc` upserts (`<desk>:<day>` documents). On MongoDB `$inc` is atomic; on
 * FerretDB 1.24 concurrent increments of the same document can be lost (it updates by read-then-
 * write), so figures from a local FerretDB under heavy concurrency are approximate.
 */
export class MongoMetricsStore implements MetricsStore {
  private readonly M: Model<RollupDoc>;
  constructor(conn: Connection) {
    this.M = (conn.models.MetricRollup as Model<RollupDoc> | undefined) ?? conn.model<RollupDoc>('MetricRollup', rollupSchema);
  }

  async increment(deskId: string, day: string, by: Partial<Record<RollupField, number>>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.M.updateOne({ _id: `${deskId}:${day}` }, { $inc: by, $setOnInsert: { deskId, day } }, { upsert: true });
        return;
      } catch (e) {
        if (!isDuplicateKey(e) || attempt > 3) throw e; // two first upserts raced: retry as an update
      }
    }
  }

  async read(deskId: string, fromDay: string, toDay: string): Promise<DailyRollup[]> {
    const docs = await this.M.find({ deskId, day: { $gte: fromDay, $lte: toDay } }).sort({ day: 1 }).lean<RollupDoc[]>();
    return docs.map(({ _id: _ignored, ...r }) => ({ ...Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, 0])), ...r }) as DailyRollup);
  }
}
