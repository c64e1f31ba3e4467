import { randomBytes } from 'node:crypto';
import type { Model } from 'mongoose';
import { KeyedCoalescer } from './keyed-coalescer.js';
import { isDuplicateKey } from './schemas.js';

type Increments = Record<string, number>;

/**
 * Exact counters on servers whose `$inc` is not atomic under concurrency (FerretDB 1.24 runs it as
 * read-then-write by `_id`, so two concurrent increments of one document can lose one).
 *
 * Each process writes only its own shard of a counter (`<key>#<writer>`), and never has two writes
 * of one shard in flight: increments that arrive while a shard's write is running are combined and
 * written together when it returns. With one writer per document and one write at a time, no
 * increment can be lost; readers sum the shards (they carry the same identifying fields).
 * On MongoDB this costs nothing in correctness and cuts round trips under bursts.
 */
export class ShardedCounters {
  /** Random per process (and per store instance): shards never have two writers. */
  readonly writer = randomBytes(6).toString('hex');
  private readonly batches = new KeyedCoalescer<{ inc: Increments; fields?: Record<string, unknown> }, void>(
    () => ({ inc: {} }),
    async (key, b) => {
      if (Object.keys(b.inc).length) await this.write(`${key}#${this.writer}`, b.fields ?? {}, b.inc);
    },
  );

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any counter collection whose _id is a string
  constructor(private readonly model: () => Model<any>) {}

  /** Adds `inc` to the counter `key`; `fields` identify it for readers (stored on first insert). */
  add(key: string, fields: Record<string, unknown>, inc: Increments): Promise<void> {
    return this.batches.submit(key, (b) => {
      b.fields ??= fields;
      for (const [f, n] of Object.entries(inc)) if (n) b.inc[f] = (b.inc[f] ?? 0) + n;
    });
  }

  private async write(_id: string, fields: Record<string, unknown>, inc: Increments): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.model().updateOne({ _id }, { $inc: inc, $setOnInsert: fields }, { upsert: true });
        return;
      } catch (e) {
        // Only this process writes this shard; a duplicate key can come only from a server-side
        // upsert retry. Retry as an update.
        if (!isDuplicateKey(e) || attempt > 3) throw e;
      }
    }
  }
}

/** Sums shard documents that share `groupKey`, keeping the first document's other fields. */
export function sumShards<T extends object>(docs: readonly T[], groupKey: (d: T) => string, counters: readonly (keyof T & string)[]): T[] {
  const out = new Map<string, T>();
  for (const d of docs) {
    const k = groupKey(d);
    const acc = out.get(k);
    if (!acc) {
      out.set(k, { ...d });
      continue;
    }
    const a = acc as Record<string, unknown>;
    const b = d as Record<string, unknown>;
    for (const c of counters) a[c] = ((a[c] as number | undefined) ?? 0) + ((b[c] as number | undefined) ?? 0);
  }
  return [...out.values()];
}
