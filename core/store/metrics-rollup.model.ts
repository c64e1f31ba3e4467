import { Schema, type Connection, type Model } from 'mongoose';
import { ROLLUP_FIELDS, type DailyRollup, type MetricsStore, type RollupField } from '../ports/metrics.port.js';
import { ShardedCounters, sumShards } from './sharded-counters.js';

type RollupDoc = DailyRollup & { _id: string };
const rollupSchema = new Schema<RollupDoc>(
  { _id: { type: String, required: true }, deskId: { type: String, required: true }, day: { type: String, required: true }, ...Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, { type: Number, default: 0 }])) },
  { collection: 'metric_rollups', versionKey: false },
);
rollupSchema.index({ deskId: 1, day: 1 });

/**
 * Daily rollups (`<desk>:<day>` counters), kept exact on MongoDB and on FerretDB alike through
 * per-process shards (see ShardedCounters): `read` sums the shards of each day.
 */
export class MongoMetricsStore implements MetricsStore {
  private readonly M: Model<RollupDoc>;
  private readonly counters: ShardedCounters;
  constructor(conn: Connection) {
    this.M = (conn.models.MetricRollup as Model<RollupDoc> | undefined) ?? conn.model<RollupDoc>('MetricRollup', rollupSchema);
    this.counters = new ShardedCounters(() => this.M);
  }

  increment(deskId: string, day: string, by: Partial<Record<RollupField, number>>): Promise<void> {
    return this.counters.add(`${deskId}:${day}`, { deskId, day }, by as Record<string, number>);
  }

  async read(deskId: string, fromDay: string, toDay: string): Promise<DailyRollup[]> {
    const docs = await this.M.find({ deskId, day: { $gte: fromDay, $lte: toDay } }).lean<RollupDoc[]>();
    const days = sumShards(docs, (d) => d.day, ROLLUP_FIELDS).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    return days.map(({ _id: _ignored, ...r }) => ({ ...Object.fromEntries(ROLLUP_FIELDS.map((f) => [f, 0])), ...r }) as DailyRollup);
  }
}
