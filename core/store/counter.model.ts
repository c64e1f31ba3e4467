import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './schemas.js';

interface CounterDoc {
  _id: string;
  seq: number;
}
const counterSchema = new Schema<CounterDoc>({ _id: { type: String, required: true }, seq: { type: Number, required: true } }, { collection: 'counters', versionKey: false });

export const counterModel = (c: Connection): Model<CounterDoc> =>
  (c.models.Counter as Model<CounterDoc> | undefined) ?? c.model<CounterDoc>('Counter', counterSchema);

/** Next value of a named counter, allocated with one atomic `$inc` (upserted on first use). */
export async function nextSeq(c: Connection, name: string): Promise<number> {
  const M = counterModel(c);
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await M.findOneAndUpdate({ _id: name }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after', lean: true });
      return doc!.seq;
    } catch (e) {
      // Two first-ever upserts race on the same _id: one gets a duplicate key; the retry increments.
      if (!isDuplicateKey(e) || attempt > 3) throw e;
    }
  }
}
