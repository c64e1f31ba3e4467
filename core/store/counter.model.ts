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

/** Adds `n` to a named counter with one `$inc`; returns the new value (the batch is `value-n+1 … value`). */
async function addSeq(c: Connection, name: string, n: number): Promise<number> {
  const M = counterModel(c);
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await M.findOneAndUpdate({ _id: name }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after', lean: true });
      return doc!.seq;
    } catch (e) {
      if (!isDuplicateKey(e) || attempt > 3) throw e;
    }
  }
}

/** Most numbers one `$inc` reserves (a batch is never larger than the creations waiting for one). */
const MAX_BATCH = 256;

/**
 * Hands out counter values in batches sized to demand: every caller waiting while a `$inc` is in
 * flight is served by the next single `$inc` of that many. One `$inc` per counter is in flight per
 * process at a time (FerretDB's `$inc` is not atomic under concurrency), but the callers' own writes
 * no longer wait for each other. Values are handed out in call order, with no gaps in a quiet
 * process; values a failed creation took are skipped. Across processes, blocks may interleave
 * (unique, increasing per process), and a non-atomic `$inc` there is caught by the caller's unique
 * index and retried with the next value.
 */
export class SeqBatcher {
  private readonly waiting = new Map<string, Array<{ resolve: (n: number) => void; reject: (e: unknown) => void }>>();
  private readonly busy = new Set<string>();
  /** `$inc` round trips made (for the round-trip benchmark and tests). */
  incs = 0;

  constructor(private readonly c: Connection) {}

  next(name: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const q = this.waiting.get(name) ?? [];
      q.push({ resolve, reject });
      this.waiting.set(name, q);
      if (!this.busy.has(name)) void this.drain(name);
    });
  }

  private async drain(name: string): Promise<void> {
    this.busy.add(name);
    try {
      for (let q = this.waiting.get(name); q?.length; q = this.waiting.get(name)) {
        const batch = q.splice(0, MAX_BATCH);
        try {
          this.incs += 1;
          const end = await addSeq(this.c, name, batch.length);
          batch.forEach((w, i) => w.resolve(end - batch.length + 1 + i));
        } catch (e) {
          batch.forEach((w) => w.reject(e));
        }
      }
    } finally {
      this.waiting.delete(name);
      this.busy.delete(name);
    }
  }
}

/** One batcher per connection: every store on it shares the in-flight `$inc`. */
const batchers = new WeakMap<Connection, SeqBatcher>();
export function seqBatcher(c: Connection): SeqBatcher {
  let b = batchers.get(c);
  if (!b) batchers.set(c, (b = new SeqBatcher(c)));
  return b;
}
