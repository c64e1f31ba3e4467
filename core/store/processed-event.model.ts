import { randomUUID } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { IdempotencyClaim, IdempotencyStore } from '../ports/ticket-store.port.js';
import { insertBatcher } from './insert-batcher.js';
import { isDuplicateKey } from './schemas.js';

interface ProcessedDoc {
  _id: string;
  at: Date;
  /** `running` while a lease is held; `done` (or absent, for ids stored before leases) once finished. */
  state?: 'running' | 'done';
  token?: string;
  /** When a running lease expires (epoch ms, wall clock). */
  until?: number;
}
const processedSchema = new Schema<ProcessedDoc>(
  {
    _id: { type: String, required: true },
    at: { type: Date, required: true },
    state: { type: String, enum: ['running', 'done'] },
    token: String,
    until: Number,
  },
  { collection: 'processed_events', versionKey: false },
);
// No TTL index (FerretDB has none): jobs/ prunes old ids with a scheduled deleteMany on `at`.
processedSchema.index({ at: 1 });

export const processedEventModel = (c: Connection): Model<ProcessedDoc> =>
  (c.models.ProcessedEvent as Model<ProcessedDoc> | undefined) ?? c.model<ProcessedDoc>('ProcessedEvent', processedSchema);

/** The document whose existence says the claim `key`, held under `token`, finished. */
const doneMarker = (key: string, token: string | undefined): string => `done:${key}:${token ?? ''}`;

/** Default lease: longer than any one inbound event's work, shorter than the platforms' first retry. */
const DEFAULT_LEASE_MS = 30_000;

/**
 * Idempotency with leases, built only on what both MongoDB and FerretDB 1.24 make atomic: a unique
 * `_id` insert. `begin` inserts `{_id: key, state: running, token, until}`; the first insert wins.
 * An expired lease is taken over by inserting a marker `lease:<old token>` — unique per lease, so of
 * several callers finding the same expired lease exactly one takes it (FerretDB's findAndModify is
 * not atomic and cannot decide that). `complete` inserts a done marker `done:<key>:<token>` (an
 * insert goes to the server together with the other claims and marks of a burst — insert-batcher.ts
 * — where flipping the claim's state was an update of its own: FerretDB runs updates one by one);
 * the claim counts as done once the marker of its *current* token exists, so a late completion by a
 * holder whose lease was taken over does not count. `release` deletes the claim so the platform's
 * retry starts afresh. Claims completed before the markers (`state: done`) read as done.
 */
export class MongoIdempotencyStore implements IdempotencyStore {
  private readonly M: Model<ProcessedDoc>;
  constructor(conn: Connection, private readonly now: () => Date = () => new Date()) {
    this.M = processedEventModel(conn);
  }

  /**
   * Creates the collection and its index (idempotent). Call once at start-up: FerretDB creates a
   * collection on first write, and many first writes at once can race on that.
   */
  async init(): Promise<void> {
    await this.M.init(); // mongoose creates the collection (autoCreate) and its index
  }

  async begin(key: string, leaseMs = DEFAULT_LEASE_MS): Promise<IdempotencyClaim> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID();
      // Claims of concurrent events go to the server together (one insert command, each claim
      // decided alone by the unique _id).
      // `raw`: the stored shape as built here (no mongoose document per claim; every field is typed above).
      if ((await insertBatcher(this.M).insert({ _id: key, at: this.now(), state: 'running', token, until: Date.now() + leaseMs }, { raw: true })) === 'inserted') return { outcome: 'run', token };
      const held = await this.M.findById(key).lean<ProcessedDoc>();
      if (!held) continue; // released between our insert and our read: try again
      if (held.state !== 'running') return { outcome: 'done' };
      if (await this.M.exists({ _id: doneMarker(key, held.token) })) return { outcome: 'done' };
      if ((held.until ?? 0) > Date.now()) return { outcome: 'busy' };
      // The holder crashed (or hangs) past its lease: one caller takes the lease over.
      try {
        await this.M.create({ _id: `lease:${held.token ?? ''}`, at: this.now(), state: 'done' });
      } catch (e) {
        if (isDuplicateKey(e)) return { outcome: 'busy' };
        throw e;
      }
      await this.M.updateOne({ _id: key }, { $set: { token, until: Date.now() + leaseMs, at: this.now() } });
      return { outcome: 'run', token };
    }
    return { outcome: 'busy' };
  }

  async complete(key: string, token: string): Promise<void> {
    // A repeat (the same token completing twice) finds its marker already there: nothing to do.
    await insertBatcher(this.M).insert({ _id: doneMarker(key, token), at: this.now(), state: 'done' }, { raw: true });
  }

  async release(key: string, token: string): Promise<void> {
    await this.M.deleteOne({ _id: key, token, state: 'running' });
  }

  async mark(key: string): Promise<boolean> {
    return (await insertBatcher(this.M).insert({ _id: key, at: this.now(), state: 'done' }, { raw: true })) === 'inserted';
  }

  async unmark(key: string): Promise<void> {
    await this.M.deleteOne({ _id: key, state: 'done' });
  }

  /** Forgets ids older than `before` (platforms stop retrying within minutes to hours). */
  async prune(before: Date): Promise<number> {
    const r = await this.M.deleteMany({ at: { $lt: before } });
    return r.deletedCount;
  }
}
