import type { Connection, Model } from 'mongoose';

/** What one queued insert came to: stored, or refused by a unique index (code 11000). */
export type InsertOutcome = 'inserted' | 'duplicate';

/**
 * At most this many documents in one `insert` command. FerretDB writes a batch in one PostgreSQL
 * transaction and falls back to one statement per document when one of them fails (a duplicate),
 * so a batch is never worse than its documents inserted one by one.
 */
const MAX_BATCH = 64;

interface Waiting {
  doc: Record<string, unknown>;
  ok: (o: InsertOutcome) => void;
  fail: (e: unknown) => void;
}

interface WriteErrorLike {
  index: number;
  code?: number;
  err?: { code?: number };
}

/**
 * Group commit for inserts: while one `insertMany` of a collection is in flight, the inserts that
 * arrive meanwhile wait and go together in the next one (unordered, so each document succeeds or
 * fails on its own and its duplicate-key error comes back to its caller alone). A lone insert goes
 * at once, as before. Measured on FerretDB 1.24 on PostgreSQL: 320 inserts as 16 concurrent singles
 * 0.26–1.7 s, as batches of 16 0.19–0.64 s (bench notes in docs/storm.md); every exactly-once
 * scheme here rests on unique `_id` inserts (claims, guards, keyed timeline entries), and a burst
 * makes many of them at once.
 *
 * Documents are cast and validated by their mongoose model first (what `Model.create` would do),
 * then written raw.
 */
export class InsertBatcher {
  private readonly queue: Waiting[] = [];
  private inFlight = false;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model; documents are cast by it
  constructor(private readonly model: Model<any>) {}

  /**
   * Inserts `doc`; resolves `duplicate` when a unique index refuses it, rejects on any other error.
   * `raw`: written as given (the caller built the stored shape), not cast by the model.
   */
  async insert(doc: Record<string, unknown>, opts: { raw?: boolean } = {}): Promise<InsertOutcome> {
    let raw = doc;
    if (!opts.raw) {
      const d = new this.model(doc);
      await d.validate();
      raw = d.toObject({ depopulate: true, versionKey: false }) as Record<string, unknown>;
    }
    return new Promise<InsertOutcome>((ok, fail) => {
      this.queue.push({ doc: raw, ok, fail });
      if (!this.inFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    if (!batch.length) return;
    this.inFlight = true;
    try {
      await this.model.collection.insertMany(
        batch.map((w) => w.doc),
        { ordered: false },
      );
      batch.forEach((w) => w.ok('inserted'));
    } catch (e) {
      const errors = writeErrorsOf(e);
      if (!errors) batch.forEach((w) => w.fail(e));
      else {
        const byIndex = new Map(errors.map((w) => [w.index, w]));
        batch.forEach((w, i) => {
          const we = byIndex.get(i);
          if (!we) w.ok('inserted');
          else if ((we.code ?? we.err?.code) === 11000) w.ok('duplicate');
          else w.fail(Object.assign(new Error(`insert into ${this.model.collection.name} failed: code ${String(we.code ?? we.err?.code)}`), { cause: e }));
        });
      }
    } finally {
      this.inFlight = false;
      if (this.queue.length) void this.flush();
    }
  }
}

/** The per-document errors of an unordered insert (MongoBulkWriteError), or undefined for another error. */
function writeErrorsOf(e: unknown): WriteErrorLike[] | undefined {
  if (!e || typeof e !== 'object' || !('writeErrors' in e)) return undefined;
  const we = (e as { writeErrors: unknown }).writeErrors;
  const list = Array.isArray(we) ? we : [we];
  return list.every((x) => x && typeof x === 'object' && typeof (x as WriteErrorLike).index === 'number') ? (list as WriteErrorLike[]) : undefined;
}

const batchers = new WeakMap<Connection, Map<string, InsertBatcher>>();

/** The insert batcher of a model's collection on its connection (one per process). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model
export function insertBatcher(model: Model<any>): InsertBatcher {
  let m = batchers.get(model.db);
  if (!m) batchers.set(model.db, (m = new Map()));
  let b = m.get(model.collection.name);
  if (!b) m.set(model.collection.name, (b = new InsertBatcher(model)));
  return b;
}

/** Throws the duplicate-key error callers of `Model.create` expect (isDuplicateKey reads `code`). */
export function duplicateKeyError(collection: string, id: unknown): Error {
  return Object.assign(new Error(`E11000 duplicate key error collection: ${collection} _id: ${String(id)}`), { code: 11000 });
}
