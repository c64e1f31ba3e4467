import { Schema, type Connection, type Model } from 'mongoose';
import { insertBatcher } from './insert-batcher.js';

interface GuardDoc {
  _id: string;
  at: Date;
}
const guardSchema = new Schema<GuardDoc>({ _id: { type: String, required: true }, at: { type: Date, required: true } }, { collection: 'write_guards', versionKey: false });

/** A guard left behind by a crashed writer is broken after this long. */
const STALE_MS = 30_000;

/**
 * Makes a version-conditioned update exactly-once across processes on MongoDB *and* FerretDB.
 *
 * Why: FerretDB 1.24 runs findAndModify/update as "query, then write by _id" without a transaction
 * (internal/handler/msg_findandmodify.go), so two concurrent `{_id, version: v}` updates can both
 * match. The one thing both servers enforce atomically is a unique `_id` on insert, so the writer of
 * version v first inserts `<key>:<v>`; only one insert succeeds, and only that writer updates.
 * Guards are kept (pruned by age later), so a slow writer still holding version v can never win it
 * again. Updates then filter on `_id` alone, which FerretDB's SQLite backend serves by key instead
 * of scanning the collection.
 */
export class WriteGuard {
  private readonly M: Model<GuardDoc>;
  constructor(conn: Connection) {
    this.M = (conn.models.WriteGuard as Model<GuardDoc> | undefined) ?? conn.model<GuardDoc>('WriteGuard', guardSchema);
  }

  /**
   * Runs `write` if this caller wins `key`; returns null without running it when another writer won.
   * `stillCurrent` tells whether the guarded version is still the stored one: only then may a guard
   * older than 30 s (its writer crashed before writing) be broken. `breakStale: false`: a taken key
   * returns null at once, without that check (the caller's next attempt at the same key makes it).
   */
  async exclusive<T>(key: string, stillCurrent: () => Promise<boolean>, write: () => Promise<T | null>, opts: { breakStale?: boolean } = {}): Promise<T | null> {
    if (!(await this.acquire(key, stillCurrent, opts.breakStale ?? true))) return null;
    try {
      return await write();
    } catch (e) {
      // The write failed: release the version so the caller (or another writer) can try again.
      await this.M.deleteOne({ _id: key }).catch(() => {});
      throw e;
    }
  }

  /** Removes guards older than `before` (their versions are long superseded). */
  async prune(before: Date): Promise<number> {
    return (await this.M.deleteMany({ at: { $lt: before } })).deletedCount;
  }

  private async acquire(key: string, stillCurrent: () => Promise<boolean>, breakStale: boolean): Promise<boolean> {
    if ((await insertBatcher(this.M).insert({ _id: key, at: new Date() }, { raw: true })) === 'inserted') return true;
    if (!breakStale) return false;
    const held = await this.M.findById(key).lean<GuardDoc>();
    if (held && Date.now() - held.at.getTime() > STALE_MS && (await stillCurrent())) {
      // The holder died mid-write: break its guard; the next attempt competes normally.
      await this.M.deleteOne({ _id: key, at: held.at });
    }
    return false;
  }
}
